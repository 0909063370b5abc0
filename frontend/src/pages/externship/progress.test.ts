import { describe, expect, it } from 'vitest';
import { meterGroups, meterOf, pendingText } from './progress';
import type { Summary } from './types';

const m = (slug: string, name: string, done: number, required: number) => ({ slug, name, done, required, met: done >= required });

const summary = (over: Partial<Summary> = {}): Summary => ({
  met: false,
  hours: m('hours', 'Clinical hours', 12.5, 100),
  departments: [],
  procedures: [m('venipuncture', 'Successful unaided venipunctures', 20, 50), m('skin-puncture', 'Successful unaided skin punctures', 12, 10)],
  procedures_total: m('total', 'Successful unaided collections in all', 32, 100),
  competencies: [m('patient-identification', 'Identifies the patient', 1, 2)],
  attempts: 40,
  pending_hours: 0,
  pending_collections: 0,
  certifications: [],
  ...over,
});

describe('progress meters', () => {
  it('give each requirement its numbers in words and a bar capped at 100 %', () => {
    expect(meterOf(m('hours', 'Clinical hours', 12.5, 100), 'hours')).toEqual({
      key: 'hours',
      label: 'Clinical hours',
      done: 12.5,
      required: 100,
      percent: 13,
      text: '12.5 of 100 hours',
      met: false,
    });
    expect(meterOf(m('s', 'Skin', 12, 10), 'count')).toMatchObject({ percent: 100, text: '12 of 10', met: true });
    expect(meterOf(m('c', 'ID', 1, 1), 'observations').text).toBe('1 of 1 satisfactory observation');
    expect(meterOf(m('z', 'Nothing asked', 0, 0), 'count').percent).toBe(100);
    expect(meterOf(m('h', 'Hours', 1 / 3, 1), 'hours').text).toBe('0.33 of 1 hour');
  });

  it('group hours, departments (when the course has some), collections with the combined total, and competencies', () => {
    const groups = meterGroups(summary());
    expect(groups.map((g) => [g.id, g.meters.map((x) => x.key)])).toEqual([
      ['hours', ['hours']],
      ['procedures', ['procedure-venipuncture', 'procedure-skin-puncture', 'procedures-total']],
      ['competencies', ['competency-patient-identification']],
    ]);
    const withDepartments = meterGroups(summary({ departments: [m('chem', 'Chemistry', 10, 40)], procedures: [], procedures_total: null, competencies: [] }));
    expect(withDepartments.map((g) => g.id)).toEqual(['hours', 'departments']);
    expect(withDepartments[1]!.meters[0]!.text).toBe('10 of 40 hours');
  });

  it('say what is waiting for attestation or approval', () => {
    expect(pendingText(summary())).toBeNull();
    expect(pendingText({ pending_hours: 8.5, pending_collections: 0 })).toBe('8.5 hours awaiting attestation or approval (not counted yet).');
    expect(pendingText({ pending_hours: 1, pending_collections: 1 })).toBe('1 hour and 1 collection awaiting attestation or approval (not counted yet).');
  });
});
