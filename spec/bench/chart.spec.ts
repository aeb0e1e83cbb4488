// The bench's SVG chart: one bar per rate row measured against raw ws, as plain SVG text.
import { chartBars, renderChart } from '../../bench/lib/chart';
import type { Row } from '../../bench/lib/report';

const row = (label: string, unit: string, a: string, b: string | undefined, ratio: number | undefined): Row => ({
  workload: 'w',
  label,
  unit,
  metric: 'm',
  rxws: { variant: a, median: 1, trials: [1] },
  raw: b === undefined ? undefined : { variant: b, median: 1, trials: [1] },
  ratio,
});

describe('bench chart', () => {
  const rows = [
    row('echo <32 B> & more', 'msgs/s', 'rxws-both', 'raw', 2.6),
    row('echo: socket.io', 'msgs/s', 'socketio', 'raw', 0.6),
    row('echo: kernel', 'msgs/s', 'net-corked', 'raw', 3.4),
    row('echo: CPU', 'µs', 'rxws', 'raw', 0.9),
    row('requests vs socket.io', 'round trips/s', 'rxws', 'socketio', 2.1),
    row('storm', 'ms', 'none', undefined, undefined),
  ];

  it('takes the rate rows compared with raw ws, coloured by who ran', () => {
    expect(chartBars(rows)).toEqual([
      { label: 'echo <32 B> & more', ratio: 2.6, kind: 'rxws' },
      { label: 'echo: socket.io', ratio: 0.6, kind: 'peer' },
      { label: 'echo: kernel', ratio: 3.4, kind: 'limit' },
    ]);
  });

  it('renders one bar per row with its ratio, escaped labels and a 1× line', () => {
    const svg = renderChart(chartBars(rows), 'title & date');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect x="720"/g)).toHaveLength(3);
    expect(svg).toContain('echo &lt;32 B&gt; &amp; more');
    expect(svg).toContain('title &amp; date');
    for (const ratio of ['2.60', '0.60', '3.40']) expect(svg).toContain(`>${ratio}</text>`);
    expect(svg).toContain('stroke="#000000"');
    // Powers of two from 0.25× to 4× (ratios up to 3.4); a longer bar means a larger ratio.
    for (const tick of ['0.25', '0.5', '1', '2', '4']) expect(svg).toContain(`>${tick}×</text>`);
    expect(svg).not.toContain('>8×</text>');
    const widths = [...svg.matchAll(/<rect x="720" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[2]).toBeGreaterThan(widths[0]);
    expect(widths[0]).toBeGreaterThan(widths[1]);
  });
});
