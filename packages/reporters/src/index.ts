export { formatNumber, MISSING } from './format-number.js';
export type { Align, Cell, TableOptions, ComparisonOptions } from './table.js';
export { formatTable, comparisonTable } from './table.js';
// The latest-value reducer lives in core (sessions summarise themselves with it); re-exported for reporters' users.
export type { RunSummary, LatestState, LatestCollector } from '@kramers/core';
export { emptyLatest, metricKey, latestReducer, collectLatest } from '@kramers/core';
export type { ProgressRun, ProgressOptions, ProgressReporter } from './progress.js';
export { progressReporter } from './progress.js';
export type { FileSinkOptions, EventFileWriter } from './file-sink.js';
export type { WriteFailure } from './buffered-file.js';
export { jsonlWriter, readJsonl } from './jsonl.js';
export type { CsvWriterOptions, CsvField } from './csv.js';
export { CSV_COLUMNS, csvWriter, csvField, csvLine, metricCsvFields } from './csv.js';
export type { FigureSpec, Series, PointSeries, LineSeries, FitSeries, DataPoint, LinePoint, Dash, HexColor, GridOptions } from './svg-figure.js';
export { svgFigure, svgFigureGrid, escapeXml, SVG_PALETTE } from './svg-figure.js';
export type { AxisTicks } from './svg-ticks.js';
export { niceStep, niceLinearTicks, niceLogTicks, formatTick } from './svg-ticks.js';
export type { HtmlReportInput, ReportRun, ReportTable, ReportCell, ReportVersions, ValueWithError, SeriesPoint } from './html-report.js';
export { htmlReport } from './html-report.js';
export { crc32c, maskCrc32c, maskedCrc32c } from './crc32c.js';
export { TF_RECORD_OVERHEAD, encodeTfRecord, decodeTfRecords } from './tensorboard-record.js';
export type {
  TfHistogram, TfScalarValue, TfHistogramValue, TfOtherValue, TfSummaryValue, TfFileVersionEvent, TfSummaryEvent, TfOtherEvent,
  TfWritableEvent, TfEvent,
} from './tensorboard-proto.js';
export { encodeTfEvent, decodeTfEvent } from './tensorboard-proto.js';
export type { TensorboardVectors } from './tensorboard-summary.js';
export { DEFAULT_VECTOR_BUCKETS, tfHistogram, vectorTfHistogram } from './tensorboard-summary.js';
export type { TensorboardWriterOptions } from './tensorboard.js';
export { TF_FILE_VERSION, tensorboardWriter, readTfEvents } from './tensorboard.js';
