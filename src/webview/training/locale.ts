// uPlot formats numbers with `new Intl.NumberFormat(navigator.language)` when its module loads. Under a C/POSIX
// locale Chromium reports `en-US@posix`, which Intl rejects (RangeError), and the whole panel script would stop
// before drawing anything. This module is imported before uPlot and puts a tag Intl accepts in its place.

function acceptedByIntl(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

const reported = navigator.language;
if (!acceptedByIntl(reported)) {
  const base = reported.split(/[@.]/)[0];
  Object.defineProperty(navigator, 'language', { value: acceptedByIntl(base) ? base : 'en-US', configurable: true });
}
