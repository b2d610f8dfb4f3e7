/**
 * The only files the server will ever send: read into memory at start from the package's own assets and uPlot's
 * dist, keyed by exact request path. Nothing is looked up on disk per request, so no path can reach another file.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
}

const require = createRequire(import.meta.url);
// src/ and dist/ are both siblings of assets/, so this resolves from source (tests) and from the build alike.
const ownAsset = (name: string): Buffer => fs.readFileSync(new URL(`../assets/${name}`, import.meta.url));
const uplotFile = (name: string): Buffer => fs.readFileSync(require.resolve(`uplot/dist/${name}`));

export function loadAssets(): ReadonlyMap<string, Asset> {
  const html = { contentType: 'text/html; charset=utf-8', body: ownAsset('index.html') };
  return new Map<string, Asset>([
    ['/', html],
    ['/index.html', html],
    ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: ownAsset('app.js') }],
    ['/app.css', { contentType: 'text/css; charset=utf-8', body: ownAsset('app.css') }],
    // The charts library app.js imports (also published as @kramers/dashboard/charts for pages of one's own).
    ['/charts.js', { contentType: 'text/javascript; charset=utf-8', body: ownAsset('charts.js') }],
    ['/charts.css', { contentType: 'text/css; charset=utf-8', body: ownAsset('charts.css') }],
    ['/uPlot.iife.min.js', { contentType: 'text/javascript; charset=utf-8', body: uplotFile('uPlot.iife.min.js') }],
    ['/uPlot.min.css', { contentType: 'text/css; charset=utf-8', body: uplotFile('uPlot.min.css') }],
  ]);
}
