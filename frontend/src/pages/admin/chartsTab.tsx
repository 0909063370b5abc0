// A cohort's charts: completion over time against the target, the module funnel, and each
// quiz's score distribution. The only module that imports the charts library (recharts): it is
// loaded lazily from the cohort page, inside the lazily loaded admin area, so learners never
// download it. Each chart is an image to assistive technology, with a one-sentence summary,
// and the table beside it holds every figure.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ReactElement, ReactNode } from 'react';
import { api } from '../../api/client';
import { Empty, ErrorState, Loading, useLoad } from '../../ui';
import { completionSeries, completionSummary, funnelSteps, scoreBars, shortDay } from './charts';
import { TableWrap } from './common';
import type { Cohort, Charts } from './contract';

const BRAND = '#0b4f6c';
const EXPECTED = '#8a4b00';
const HEIGHT = 260;

export function ChartsTab({ cohort }: { cohort: Cohort }) {
  const charts = useLoad((signal) => api.get<Charts>(`/api/v1/admin/cohorts/${cohort.id}/charts`, { signal }), cohort.id);
  if (charts.error) return <ErrorState error={charts.error} onRetry={charts.reload} />;
  if (!charts.data) return <Loading label="Loading the charts…" />;
  const points = completionSeries(charts.data.completion);
  const funnel = funnelSteps(charts.data.funnel);
  const quizzes = scoreBars(charts.data.scores);
  return (
    <>
      <ChartBlock id="chart-completion" title="Completion over time" summary={completionSummary(points)} empty={points.length === 0}>
        {{
          chart: (
            <LineChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" tickFormatter={shortDay} minTickGap={24} />
              <YAxis allowDecimals={false} width={40} />
              <Tooltip labelFormatter={(d) => shortDay(String(d))} />
              <Legend />
              <Line type="linear" dataKey="completed" name="Completed" stroke={BRAND} strokeWidth={2} dot={false} isAnimationActive={false} />
              {points.some((p) => p.expected !== null) && <Line type="stepAfter" dataKey="expected" name="Expected by the target date" stroke={EXPECTED} strokeDasharray="6 4" strokeWidth={2} dot={false} isAnimationActive={false} />}
            </LineChart>
          ),
          table: (
            <table className="table chart-table">
              <caption className="table-caption">Completion by day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Ahead (+) or behind (−)</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.date}>
                    <th scope="row">{shortDay(p.date)}</th>
                    <td>{p.completed}</td>
                    <td>{p.expected ?? 'No target date'}</td>
                    <td>{p.gap === null ? 'No target date' : p.gap > 0 ? `+${p.gap}` : p.gap < 0 ? `−${-p.gap}` : '0'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ),
        }}
      </ChartBlock>
      <ChartBlock
        id="chart-funnel"
        title="Module funnel"
        summary={funnel.length ? `Of ${funnel[0]!.reached} learners who reached the first module, ${funnel.at(-1)!.reached} reached the last.` : 'No modules.'}
        empty={funnel.length === 0}
      >
        {{
          chart: (
            <BarChart data={funnel} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={140} />
              <Tooltip />
              <Bar dataKey="reached" name="Learners who reached it" fill={BRAND} isAnimationActive={false} />
            </BarChart>
          ),
          table: (
            <table className="table chart-table">
              <caption className="table-caption">Learners who reached each module</caption>
              <thead>
                <tr>
                  <th scope="col">Module</th>
                  <th scope="col">Learners</th>
                  <th scope="col">Of the first module’s</th>
                </tr>
              </thead>
              <tbody>
                {funnel.map((s) => (
                  <tr key={s.label}>
                    <th scope="row">{s.label}</th>
                    <td>{s.reached}</td>
                    <td>{s.share}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ),
        }}
      </ChartBlock>
      <h3>Quiz score distributions</h3>
      {quizzes.length === 0 && <Empty>No quiz attempts yet.</Empty>}
      {quizzes.map((q) => (
        <ChartBlock key={q.slug} id={`chart-scores-${q.slug}`} title={q.title} level={4} summary={`${q.total} best scores, by range of percent.`} empty={q.total === 0}>
          {{
            chart: (
              <BarChart data={q.bars} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="range" />
                <YAxis allowDecimals={false} width={40} />
                <Tooltip />
                <Bar dataKey="count" name="Learners" fill={BRAND} isAnimationActive={false} />
              </BarChart>
            ),
            table: (
              <table className="table chart-table">
                <caption className="table-caption">{q.title}: learners by best score</caption>
                <thead>
                  <tr>
                    <th scope="col">Score (%)</th>
                    <th scope="col">Learners</th>
                  </tr>
                </thead>
                <tbody>
                  {q.bars.map((b) => (
                    <tr key={b.range}>
                      <th scope="row">{b.range}</th>
                      <td>{b.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ),
          }}
        </ChartBlock>
      ))}
    </>
  );
}

function ChartBlock({
  id,
  title,
  summary,
  empty,
  level = 3,
  children,
}: {
  id: string;
  title: string;
  summary: string;
  empty: boolean;
  level?: 3 | 4;
  children: { chart: ReactNode; table: ReactNode };
}) {
  const H = level === 3 ? 'h3' : 'h4';
  return (
    <section className="chart-block" aria-labelledby={`${id}-title`}>
      <H id={`${id}-title`}>{title}</H>
      <p id={`${id}-summary`}>{summary}</p>
      {empty ? (
        <Empty>No data yet.</Empty>
      ) : (
        <div className="chart-pair">
          <div className="chart" role="img" aria-label={`${title}: chart. ${summary} The table beside it has every figure.`}>
            <ResponsiveContainer width="100%" height={HEIGHT}>
              {children.chart as ReactElement}
            </ResponsiveContainer>
          </div>
          <TableWrap label={`${title}: figures`}>{children.table}</TableWrap>
        </div>
      )}
    </section>
  );
}
