// uPlot builds `new Intl.NumberFormat(navigator.language)` while its module loads. A browser started under a
// POSIX locale reports a tag such as "en-US@posix", which Intl rejects with a RangeError — and the whole panel
// script would stop before drawing anything. This module is imported before the chart: it replaces an invalid
// tag with its longest valid prefix (or "en-US") so the panel renders whatever the environment says.

function validTag(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

export function usableLanguage(tag: string): string {
  if (validTag(tag)) return tag;
  const prefix = tag.split(/[@.]/)[0];
  return prefix && validTag(prefix) ? prefix : 'en-US';
}

if (typeof navigator !== 'undefined') {
  const usable = usableLanguage(navigator.language);
  if (usable !== navigator.language) Object.defineProperty(navigator, 'language', { value: usable, configurable: true });
}
