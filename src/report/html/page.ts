import {SCRIPT, STYLE} from './bundle.js'
import type {PageData} from './page-data.js'

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}

/**
 * `analyze --format html`: one self-contained page, its script, style and data inline, that works opened from disk
 * and offline. The data is JSON in a script element, with `<` escaped so that no path can end the element.
 */
export function renderPage(data: PageData): string {
  const {image, source} = data.report
  const title = `docker-layers: ${image.repoTags.length > 0 ? image.repoTags.join(', ') : source.name}`
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main><noscript>This report draws itself with JavaScript: open it in a browser with scripts on.</noscript></main>',
    `<script type="application/json" id="page-data">${JSON.stringify(data).replaceAll('<', '\\u003c')}</script>`,
    `<script>${SCRIPT.replaceAll('</script', '<\\/script')}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
