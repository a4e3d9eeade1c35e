import { scaleLinear } from 'd3-scale'
import { line } from 'd3-shape'

/**
 * The dashboard's chart, drawn on the server: d3 computes the scales and the
 * path strings here, so the page ships them as plain SVG attributes and no
 * chart code reaches the browser. Each series is told apart without colour:
 * its own dash pattern, its own marker at its last point, and its name
 * written beside that point.
 */

export const PROGRESS_SERIES = ['notified', 'checked', 'passwordReset', 'ready'] as const
export type ProgressSeries = (typeof PROGRESS_SERIES)[number]

export type CumulativeDay = { day: number } & Record<ProgressSeries, number>

const WIDTH = 520
const HEIGHT = 340
// The right margin holds each series' name beside its last point.
const MARGIN = { top: 16, right: 170, bottom: 40, left: 60 }
const MAX_DAY_LABELS = 5
// Direct labels closer than this (in the chart's units) are pushed apart.
const LABEL_GAP = 22

const DASHES: Record<ProgressSeries, string | undefined> = {
  notified: undefined,
  checked: '8 4',
  passwordReset: '2 4',
  ready: '10 4 2 4',
}
const MARKERS: Record<ProgressSeries, 'circle' | 'square' | 'triangle' | 'diamond'> = {
  notified: 'circle',
  checked: 'square',
  passwordReset: 'triangle',
  ready: 'diamond',
}

export type ChartLine = {
  series: ProgressSeries
  path: string
  dash: string | undefined
  marker: { shape: (typeof MARKERS)[ProgressSeries]; x: number; y: number }
  label: { x: number; y: number }
}

export type ProgressChart = {
  width: number
  height: number
  plot: { left: number; right: number; top: number; bottom: number }
  lines: ChartLine[]
  xTicks: { x: number; day: number }[]
  yTicks: { y: number; value: number }[]
}

const round = (value: number) => Math.round(value * 10) / 10

/** Lays out the cumulative series over their days (at least one). */
export function progressChart(days: CumulativeDay[]): ProgressChart {
  const first = days[0]?.day ?? 0
  const last = days.at(-1)?.day ?? first
  const plot = {
    left: MARGIN.left,
    right: WIDTH - MARGIN.right,
    top: MARGIN.top,
    bottom: HEIGHT - MARGIN.bottom,
  }
  // A single day still gets a width, so its points sit at the left edge rather than nowhere.
  const x = scaleLinear()
    .domain([first, Math.max(last, first + 1)])
    .range([plot.left, plot.right])
  const highest = Math.max(1, ...days.flatMap((day) => PROGRESS_SERIES.map((series) => day[series])))
  const y = scaleLinear().domain([0, highest]).nice().range([plot.bottom, plot.top])

  const lines = PROGRESS_SERIES.map((series) => {
    const path = line<CumulativeDay>()
      .x((day) => round(x(day.day)))
      .y((day) => round(y(day[series])))(days)
    const end = days.at(-1)
    const marker = { shape: MARKERS[series], x: round(x(end?.day ?? first)), y: round(y(end?.[series] ?? 0)) }
    return {
      series,
      path: path ?? '',
      dash: DASHES[series],
      marker,
      label: { x: plot.right + 14, y: marker.y },
    }
  })
  spreadLabels(lines, plot)

  // d3's tick count is a hint (it prefers round steps); a day's label needs about a fifth of the
  // axis, so every other tick goes until at most five are left.
  let dayTicks = x.ticks(Math.min(4, last - first)).filter((day) => Number.isInteger(day) && day <= last)
  while (dayTicks.length > MAX_DAY_LABELS) dayTicks = dayTicks.filter((_, i) => i % 2 === 0)
  const xTicks = dayTicks.map((day) => ({ x: round(x(day)), day }))
  const yTicks = y
    .ticks(5)
    .filter((value) => Number.isInteger(value))
    .map((value) => ({ y: round(y(value)), value }))
  return { width: WIDTH, height: HEIGHT, plot, lines, xTicks, yTicks }
}

/**
 * Series that end at the same height (all at 0 on the first day) would print
 * their names over each other: sorted top to bottom, each label keeps at
 * least LABEL_GAP below the one above, and the stack is moved up if it runs
 * past the bottom.
 */
function spreadLabels(lines: ChartLine[], plot: ProgressChart['plot']) {
  const sorted = [...lines].sort((a, b) => a.label.y - b.label.y)
  for (let i = 1; i < sorted.length; i++) {
    const above = sorted[i - 1] as ChartLine
    const label = (sorted[i] as ChartLine).label
    label.y = Math.max(label.y, above.label.y + LABEL_GAP)
  }
  const overflow = (sorted.at(-1)?.label.y ?? 0) - (plot.bottom + 4)
  if (overflow > 0) for (const item of sorted) item.label.y = round(item.label.y - overflow)
}
