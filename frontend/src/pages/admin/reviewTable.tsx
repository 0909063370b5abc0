// The review queue's table: one attested entry a row, with a checkbox each and one that
// selects the whole page.
import { useEffect, useRef } from 'react';
import { formatDateTime } from '../../ui';
import { describeEntry } from '../attest/entry';
import { TableWrap } from './common';
import { allState, type Selection } from './review';
import type { ReviewItem } from './types';

interface Props {
  items: readonly ReviewItem[];
  total: number;
  selected: Selection;
  onToggle: (id: string, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
  onLearner: (item: ReviewItem) => void;
}

export function ReviewTable({ items, total, selected, onToggle, onToggleAll, onLearner }: Props) {
  const ids = items.map((i) => i.entry.id);
  const state = allState(selected, ids);
  const all = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (all.current) all.current.indeterminate = state === 'some';
  }, [state]);
  return (
    <TableWrap label="Review queue">
      <table className="table review-table">
        <caption className="table-caption">
          Attested entries waiting for review: {items.length} shown of {total}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="select-cell">
              <input
                ref={all}
                id="select-all"
                type="checkbox"
                checked={state === 'all'}
                onChange={(e) => onToggleAll(e.target.checked)}
                aria-label="Select every entry on this page"
              />
            </th>
            <th scope="col">Learner</th>
            <th scope="col">Course</th>
            <th scope="col">Site</th>
            <th scope="col">Entry</th>
            <th scope="col">Signed by</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <Row key={item.entry.id} item={item} checked={selected.has(item.entry.id)} onToggle={onToggle} onLearner={onLearner} />
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Row({
  item,
  checked,
  onToggle,
  onLearner,
}: {
  item: ReviewItem;
  checked: boolean;
  onToggle: (id: string, on: boolean) => void;
  onLearner: (item: ReviewItem) => void;
}) {
  const v = describeEntry(item.entry, []);
  const label = `${item.learner_name}: ${v.kind}, ${v.day}`;
  const signer = item.signature_name || item.supervisor_name;
  return (
    <tr className={checked ? 'is-selected' : undefined}>
      <td className="select-cell">
        <input type="checkbox" checked={checked} onChange={(e) => onToggle(item.entry.id, e.target.checked)} aria-label={`Select ${label}`} />
      </td>
      <th scope="row">
        <button type="button" className="link-button" onClick={() => onLearner(item)}>
          {item.learner_name}
          <span className="visually-hidden">: show only this learner’s entries and progress</span>
        </button>
      </th>
      <td>{item.course_title}</td>
      <td>{item.site_name}</td>
      <td>
        <span className="entry-kind">
          {v.kind}, {v.day}
        </span>
        {v.facts.length > 0 && <span className="cell-facts">{v.facts.join(' · ')}</span>}
        {v.activities && <span className="cell-note">Activities: {v.activities}</span>}
        {v.notes && <span className="cell-note">Notes: {v.notes}</span>}
        {item.entry.amend_reason && <span className="cell-note">Correction: {item.entry.amend_reason}</span>}
      </td>
      <td>
        {signer}
        {item.signature_name && item.signature_name !== item.supervisor_name && (
          <span className="cell-note">Supervisor on file: {item.supervisor_name}</span>
        )}
        {item.entry.decided_at && <span className="cell-note">{formatDateTime(item.entry.decided_at)}</span>}
      </td>
    </tr>
  );
}
