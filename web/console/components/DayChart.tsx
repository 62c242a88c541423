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
        scales: { x: { time: true } },
        axes: [{}, { size: yAxisSize }],
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
