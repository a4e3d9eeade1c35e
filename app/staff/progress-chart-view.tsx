import { useTranslation } from 'react-i18next'
import { numberFormat } from '~/i18n/number-format'
import type { ChartLine, ProgressChart } from './progress-chart.server'

type Props = {
  chart: Omit<ProgressChart, 'xTicks'> & { xTicks: { x: number; label: string }[] }
  /** The chart's accessible name; the table beside it holds its data. */
  titleId: string
  title: string
  description: string
}

/** The markers that tell the series apart without colour (see progress-chart.server.ts). */
function Marker({ marker }: { marker: ChartLine['marker'] }) {
  const { shape, x, y } = marker
  if (shape === 'circle') return <circle cx={x} cy={y} r={5} />
  if (shape === 'square') return <rect x={x - 4.5} y={y - 4.5} width={9} height={9} />
  if (shape === 'triangle') return <path d={`M${x} ${y - 6}L${x + 6} ${y + 5}L${x - 6} ${y + 5}Z`} />
  return <path d={`M${x} ${y - 6}L${x + 6} ${y}L${x} ${y + 6}L${x - 6} ${y}Z`} />
}

/** The daily progress chart: plain SVG computed on the server, no script. */
export function ProgressChartView({ chart, titleId, title, description }: Props) {
  const { t, i18n } = useTranslation('staff')
  const { plot } = chart
  const { format: number } = numberFormat(i18n.language)
  const descriptionId = `${titleId}-description`
  return (
    <svg
      className="progress-chart"
      viewBox={`0 0 ${chart.width} ${chart.height}`}
      role="img"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
    >
      <title id={titleId}>{title}</title>
      <desc id={descriptionId}>{description}</desc>
      <g className="progress-chart__grid">
        {chart.yTicks.map((tick) => (
          <g key={tick.value}>
            <line x1={plot.left} x2={plot.right} y1={tick.y} y2={tick.y} />
            <text x={plot.left - 8} y={tick.y} textAnchor="end" dominantBaseline="middle">
              {number(tick.value)}
            </text>
          </g>
        ))}
        {chart.xTicks.map((tick) => (
          <text key={tick.x} x={tick.x} y={plot.bottom + 26} textAnchor="middle">
            {tick.label}
          </text>
        ))}
        <line
          className="progress-chart__axis"
          x1={plot.left}
          x2={plot.right}
          y1={plot.bottom}
          y2={plot.bottom}
        />
      </g>
      <g>
        {chart.lines.map((line) => (
          <g key={line.series} className="progress-chart__series">
            <path d={line.path} fill="none" strokeDasharray={line.dash} />
            <Marker marker={line.marker} />
            {/* The name beside the line's end, joined to it when names had to be moved apart. */}
            <line
              className="progress-chart__leader"
              x1={line.marker.x + 6}
              y1={line.marker.y}
              x2={line.label.x + 2}
              y2={line.label.y}
            />
            <text x={line.label.x + 6} y={line.label.y} dominantBaseline="middle">
              {t(`dashboard.series.${line.series}`)}
            </text>
          </g>
        ))}
      </g>
    </svg>
  )
}
