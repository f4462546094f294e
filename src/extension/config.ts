// Typed access to the extension's settings (declared in package.json). Every function reads the current
// value, so a change applies to the next request without a reload; invalid values fall back to the defaults.

import * as vscode from 'vscode';
import { DEFAULT_TOLERANCES } from '../core/numeric/gradcheck.ts';
import type { Layout } from '../core/shape.ts';

type Scope = vscode.ConfigurationScope | undefined;

function section(scope: Scope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('mcalc', scope);
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A seed setting: a non-negative whole number, or null for "random each time". */
function seed(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function layoutSetting(scope?: Scope): Layout {
  return section(scope).get('layout') === 'denominator' ? 'denominator' : 'numerator';
}

export interface GradientCheckSettings {
  tolerances: { eps: number; atol: number; rtol: number };
  /** Absent: a random seed per run (reported with the results). */
  seed?: number;
}

export function gradientCheckSettings(scope?: Scope): GradientCheckSettings {
  const c = section(scope);
  const s = seed(c.get('gradientCheck.seed'));
  return {
    tolerances: {
      eps: positive(c.get('gradientCheck.eps'), DEFAULT_TOLERANCES.eps),
      atol: positive(c.get('gradientCheck.atol'), DEFAULT_TOLERANCES.atol),
      rtol: positive(c.get('gradientCheck.rtol'), DEFAULT_TOLERANCES.rtol),
    },
    ...(s !== undefined ? { seed: s } : {}),
  };
}

export function codeLensEnabled(scope?: Scope): boolean {
  return section(scope).get('codeLens.enabled') !== false;
}

export function checkClaimsAsYouType(scope?: Scope): boolean {
  return section(scope).get('checkClaimsAsYouType') !== false;
}
