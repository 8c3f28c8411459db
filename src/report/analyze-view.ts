import type {AnalyzeReport} from '../analysis/analyze.js'
import {InputError} from '../errors.js'
import {renderAnalyzeMarkdown} from './analyze-markdown.js'
import {renderAnalyzeTable} from './analyze-table.js'
import {renderPage} from './html/page.js'
import {type PageInput, pageData} from './html/page-data.js'
import type {TableOptions} from './plain-table.js'
import type {View} from './render.js'

/** The columns of `analyze --format csv`: a layer's figures. */
export const LAYER_FIELDS = [
  'index',
  'digest',
  'createdBy',
  'created',
  'bytes',
  'entries',
  'added',
  'modified',
  'removed',
  'removedBytes',
  'wastedBytes',
]

/**
 * `analyze`: rows are the layers; markdown for a pull-request comment or $GITHUB_STEP_SUMMARY; the HTML page when
 * `page` gives what it shows beyond the report (the layers were at hand).
 */
export function analyzeView(report: AnalyzeReport, options: TableOptions & {page?: () => PageInput} = {}): View {
  const {page} = options
  return {
    report,
    table: () => renderAnalyzeTable(report, options),
    rows: {items: report.layers, fields: LAYER_FIELDS},
    formats: {
      markdown: () => renderAnalyzeMarkdown(report, options),
      html: () => {
        if (!page) throw new InputError('--format html needs the layers: analyze the image or an archive of it')
        return renderPage(pageData(page()))
      },
    },
  }
}
