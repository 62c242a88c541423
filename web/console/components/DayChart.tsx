import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { chartDay } from "../time";

// One line chart of figures per calendar day (uPlot), shared by Reports and Account 360.
// The x values are days of a report's own time zone, given as "YYYY-MM-DD": they are placed
// and labelled as UTC dates, so the browser's zone never shifts a day onto its neighbour.

export interface DaySeries {
  label: string;
  stroke: string;
  values: (number | null)[];
  fill?: string;
}

const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

export function dayEpoch(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!) / 1000;
}

export function DayLineChart(props: { days: string[]; series: DaySeries[]; height: number; yAxisSize?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const { days, series, height } = props;
  const yAxisSize = props.yAxisSize ?? 44;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(240, el.clientWidth);
    const data: uPlot.AlignedData = [days.map(dayEpoch), ...series.map((s) => s.values)];
    const plot = new uPlot(
      {
        width: width(),
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        // Counts start at 0, and a range with nothing in it reads 0 to 1, not 0 to 100.
        scales: { x: { time: true }, y: { range: (_u, _min, max) => uPlot.rangeNum(0, Math.max(max ?? 0, 1), 0.1, true) } },
        // Every figure charted is a count or whole seconds: no "0.5 page views" ticks.
        axes: [{}, { size: yAxisSize, incrs: WHOLE_STEPS }],
        series: [
          { label: "Day", value: (_u: uPlot, v: number | null) => chartDay(v) },
          ...series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 2, spanGaps: false, points: { show: days.length < 45 } })),
        ],
        legend: { show: true },
      },
      data,
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [days, series, height, yAxisSize]);
  return <div ref={box} class="report-chart-canvas" />;
}
