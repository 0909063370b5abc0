//! Answer checking and grading: pure functions over a question's answer key ([`Spec`], read
//! from `questions.spec`), the order it was shown in ([`Layout`], stored with the attempt) and
//! the learner's answer (JSON, in the positional keys the client saw).
//!
//! Keys are positional in the shown order: choice `c1` is the first choice shown, which is
//! choice `layout.choices[0]` of the spec. Grading maps keys back through the layout.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::state::AttemptOutcome;

/// Allowance for floating point in numeric answers (on top of the author's tolerance).
pub const NUMERIC_EPSILON: f64 = 1e-9;

/// A question's answer key.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// Exactly one `true`, per choice in written order.
    Single {
        correct: Vec<bool>,
    },
    /// At least one `true`, per choice in written order.
    Multiple {
        correct: Vec<bool>,
    },
    TrueFalse {
        answer: bool,
    },
    /// Left item `i` matches right item `i` for `i < pairs`; right items `pairs..rights` are
    /// distractors that match nothing.
    Matching {
        pairs: usize,
        rights: usize,
    },
    /// Items in written order are the correct order.
    Ordering {
        items: usize,
    },
    Numeric {
        answer: f64,
        tolerance: f64,
    },
}

impl Spec {
    /// The answer key of a stored question (`questions.kind`, `questions.spec`). `None` when
    /// the spec does not have the shape the importer writes.
    pub fn parse(kind: &str, spec: &Value) -> Option<Spec> {
        let correct_flags = || -> Option<Vec<bool>> {
            spec.get("choices")?
                .as_array()?
                .iter()
                .map(|c| Some(c.get("correct").and_then(Value::as_bool).unwrap_or(false)))
                .collect()
        };
        let len = |field: &str| spec.get(field).and_then(Value::as_array).map(Vec::len);
        Some(match kind {
            "single" => Spec::Single {
                correct: correct_flags()?,
            },
            "multiple" => Spec::Multiple {
                correct: correct_flags()?,
            },
            "true_false" => Spec::TrueFalse {
                answer: spec.get("answer")?.as_bool()?,
            },
            "matching" => {
                let pairs = len("pairs")?;
                Spec::Matching {
                    pairs,
                    rights: pairs + len("distractors").unwrap_or(0),
                }
            }
            "ordering" => Spec::Ordering {
                items: len("items")?,
            },
            "numeric" => Spec::Numeric {
                answer: spec.get("answer")?.as_f64()?,
                tolerance: spec.get("tolerance").and_then(Value::as_f64).unwrap_or(0.0),
            },
            _ => return None,
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Spec::Single { .. } => "single",
            Spec::Multiple { .. } => "multiple",
            Spec::TrueFalse { .. } => "true_false",
            Spec::Matching { .. } => "matching",
            Spec::Ordering { .. } => "ordering",
            Spec::Numeric { .. } => "numeric",
        }
    }

    /// How many entries each shown list has: (choices, left, right, items).
    fn sizes(&self) -> (usize, usize, usize, usize) {
        match self {
            Spec::Single { correct } | Spec::Multiple { correct } => (correct.len(), 0, 0, 0),
            Spec::Matching { pairs, rights } => (0, *pairs, *rights, 0),
            Spec::Ordering { items } => (0, 0, 0, *items),
            Spec::TrueFalse { .. } | Spec::Numeric { .. } => (0, 0, 0, 0),
        }
    }
}

/// The shown order of a question in one attempt, as indices into the spec's lists: position
/// `k` shows entry `choices[k]` (and so on). Stored as `attempt_questions.layout`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<usize>,
}

/// Keeps the valid, distinct indices of `shown` below `n` in their order and appends any
/// missing ones: a permutation of `0..n` whatever was stored.
fn fit(shown: &[usize], n: usize) -> Vec<usize> {
    let mut seen = vec![false; n];
    let mut out = Vec::with_capacity(n);
    for &i in shown {
        if i < n && !seen[i] {
            seen[i] = true;
            out.push(i);
        }
    }
    out.extend((0..n).filter(|&i| !seen[i]));
    out
}

impl Layout {
    /// The layout made to fit the spec: each list a permutation of the spec's entries. A
    /// stored layout always fits unless a re-import changed the question's lists while the
    /// attempt was open; then new entries are shown last and removed ones dropped, and the
    /// attempt is shown and graded on the same fitted layout.
    pub fn fitted(&self, spec: &Spec) -> Layout {
        let (c, l, r, i) = spec.sizes();
        Layout {
            choices: fit(&self.choices, c),
            left: fit(&self.left, l),
            right: fit(&self.right, r),
            items: fit(&self.items, i),
        }
    }
}

/// A positional key: `key('c', 0) == "c1"`.
pub fn key(prefix: char, position: usize) -> String {
    format!("{prefix}{}", position + 1)
}

/// The position a key names in a list of `len` entries.
fn position(value: &Value, prefix: char, len: usize) -> Option<usize> {
    let n: usize = value.as_str()?.strip_prefix(prefix)?.parse().ok()?;
    // "c01" or "c+1" would parse; only the canonical spelling is a key.
    if n == 0 || n > len || value.as_str()? != key(prefix, n - 1) {
        return None;
    }
    Some(n - 1)
}

/// An answer in shown positions.
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    Choice(usize),
    Choices(Vec<usize>),
    Bool(bool),
    /// (left position, right position)
    Pairs(Vec<(usize, usize)>),
    Order(Vec<usize>),
    Number(f64),
}

/// The single field of an answer object, or why not.
fn only_field<'a>(value: &'a Value, field: &str, shape: &str) -> Result<&'a Value, String> {
    match value.as_object() {
        Some(map) if map.len() == 1 && map.contains_key(field) => Ok(&map[field]),
        _ => Err(format!("expected {shape}")),
    }
}

fn parse(spec: &Spec, layout: &Layout, value: &Value) -> Result<Parsed, String> {
    match spec {
        Spec::Single { .. } => {
            let v = only_field(value, "choice", "{\"choice\": \"c1\"}")?;
            position(v, 'c', layout.choices.len())
                .map(Parsed::Choice)
                .ok_or_else(|| format!("{v} is not a choice key of this question"))
        }
        Spec::Multiple { .. } => {
            let v = only_field(value, "choices", "{\"choices\": [\"c1\", ...]}")?;
            let list = v
                .as_array()
                .ok_or("`choices` must be an array of choice keys")?;
            let mut seen = vec![false; layout.choices.len()];
            let mut out = Vec::with_capacity(list.len());
            for c in list {
                let p = position(c, 'c', layout.choices.len())
                    .ok_or_else(|| format!("{c} is not a choice key of this question"))?;
                if std::mem::replace(&mut seen[p], true) {
                    return Err(format!("{c} is selected twice"));
                }
                out.push(p);
            }
            out.sort_unstable();
            Ok(Parsed::Choices(out))
        }
        Spec::TrueFalse { .. } => {
            let v = only_field(value, "value", "{\"value\": true}")?;
            v.as_bool()
                .map(Parsed::Bool)
                .ok_or_else(|| "`value` must be true or false".into())
        }
        Spec::Matching { .. } => {
            let v = only_field(value, "pairs", "{\"pairs\": {\"l1\": \"r2\", ...}}")?;
            let map = v
                .as_object()
                .ok_or("`pairs` must be an object from left keys to right keys")?;
            let mut right_used = vec![false; layout.right.len()];
            let mut out = Vec::with_capacity(map.len());
            for (l, r) in map {
                let lp = position(&Value::String(l.clone()), 'l', layout.left.len())
                    .ok_or_else(|| format!("\"{l}\" is not a left key of this question"))?;
                let rp = position(r, 'r', layout.right.len())
                    .ok_or_else(|| format!("{r} is not a right key of this question"))?;
                if std::mem::replace(&mut right_used[rp], true) {
                    return Err(format!("{r} is matched to more than one left item"));
                }
                out.push((lp, rp));
            }
            out.sort_unstable();
            Ok(Parsed::Pairs(out))
        }
        Spec::Ordering { .. } => {
            let v = only_field(value, "order", "{\"order\": [\"i1\", ...]}")?;
            let list = v
                .as_array()
                .ok_or("`order` must be an array of item keys")?;
            let n = layout.items.len();
            let mut seen = vec![false; n];
            let mut out = Vec::with_capacity(n);
            for i in list {
                let p = position(i, 'i', n)
                    .ok_or_else(|| format!("{i} is not an item key of this question"))?;
                if std::mem::replace(&mut seen[p], true) {
                    return Err(format!("{i} appears twice in the order"));
                }
                out.push(p);
            }
            if out.len() != n {
                return Err(format!(
                    "the order must list all {n} items exactly once ({} given)",
                    out.len()
                ));
            }
            Ok(Parsed::Order(out))
        }
        Spec::Numeric { .. } => {
            let v = only_field(value, "value", "{\"value\": 4.0}")?;
            v.as_f64()
                .filter(|f| f.is_finite())
                .map(Parsed::Number)
                .ok_or_else(|| "`value` must be a finite number".into())
        }
    }
}

fn render(parsed: &Parsed) -> Value {
    match parsed {
        Parsed::Choice(p) => json!({ "choice": key('c', *p) }),
        Parsed::Choices(ps) => {
            json!({ "choices": ps.iter().map(|p| key('c', *p)).collect::<Vec<_>>() })
        }
        Parsed::Bool(b) => json!({ "value": b }),
        Parsed::Pairs(ps) => {
            let map: Map<String, Value> = ps
                .iter()
                .map(|(l, r)| (key('l', *l), Value::String(key('r', *r))))
                .collect();
            json!({ "pairs": map })
        }
        Parsed::Order(ps) => {
            json!({ "order": ps.iter().map(|p| key('i', *p)).collect::<Vec<_>>() })
        }
        Parsed::Number(f) => json!({ "value": f }),
    }
}

/// Checks an answer's shape for a question as shown, and returns it in canonical form (keys
/// sorted by position). `Err` says what is wrong, in words for the client.
pub fn validate(spec: &Spec, layout: &Layout, answer: &Value) -> Result<Value, String> {
    parse(spec, layout, answer).map(|p| render(&p))
}

fn all_or_nothing(right: bool) -> f64 {
    if right { 1.0 } else { 0.0 }
}

/// The credit an answer earns, 0 to 1. Unanswered (`None`) and malformed answers earn 0.
pub fn credit(spec: &Spec, layout: &Layout, answer: Option<&Value>) -> f64 {
    let Some(parsed) = answer.and_then(|a| parse(spec, layout, a).ok()) else {
        return 0.0;
    };
    match (spec, parsed) {
        (Spec::Single { correct }, Parsed::Choice(p)) => all_or_nothing(correct[layout.choices[p]]),
        (Spec::Multiple { correct }, Parsed::Choices(ps)) => {
            let total = correct.iter().filter(|c| **c).count();
            if total == 0 {
                return 0.0;
            }
            let right = ps.iter().filter(|p| correct[layout.choices[**p]]).count();
            let wrong = ps.len() - right;
            (right.saturating_sub(wrong)) as f64 / total as f64
        }
        (Spec::TrueFalse { answer }, Parsed::Bool(b)) => all_or_nothing(*answer == b),
        (Spec::Matching { pairs, .. }, Parsed::Pairs(ps)) => {
            if *pairs == 0 {
                return 0.0;
            }
            let right = ps
                .iter()
                .filter(|(l, r)| layout.left[*l] == layout.right[*r])
                .count();
            right as f64 / *pairs as f64
        }
        (Spec::Ordering { .. }, Parsed::Order(ps)) => {
            all_or_nothing(ps.iter().enumerate().all(|(i, p)| layout.items[*p] == i))
        }
        (Spec::Numeric { answer, tolerance }, Parsed::Number(v)) => {
            all_or_nothing((v - answer).abs() <= tolerance + NUMERIC_EPSILON)
        }
        _ => 0.0,
    }
}

/// The correct answer in the keys of this attempt's layout (for the review).
pub fn correct_answer(spec: &Spec, layout: &Layout) -> Value {
    let shown_at = |list: &[usize], orig: usize| list.iter().position(|&x| x == orig);
    let parsed = match spec {
        Spec::Single { correct } => Parsed::Choice(
            (0..layout.choices.len())
                .find(|&p| correct[layout.choices[p]])
                .unwrap_or(0),
        ),
        Spec::Multiple { correct } => Parsed::Choices(
            (0..layout.choices.len())
                .filter(|&p| correct[layout.choices[p]])
                .collect(),
        ),
        Spec::TrueFalse { answer } => Parsed::Bool(*answer),
        Spec::Matching { .. } => Parsed::Pairs(
            layout
                .left
                .iter()
                .enumerate()
                .filter_map(|(lp, &orig)| shown_at(&layout.right, orig).map(|rp| (lp, rp)))
                .collect(),
        ),
        Spec::Ordering { items } => Parsed::Order(
            (0..*items)
                .filter_map(|orig| shown_at(&layout.items, orig))
                .collect(),
        ),
        Spec::Numeric { answer, .. } => Parsed::Number(*answer),
    };
    render(&parsed)
}

/// Percent of a score, rounded down (with an allowance for floating point: 7.5 of 10 is 75).
pub fn percent(score: f64, max_score: i32) -> i32 {
    if max_score <= 0 {
        return 0;
    }
    ((score * 100.0 / f64::from(max_score)) + NUMERIC_EPSILON)
        .floor()
        .clamp(0.0, 100.0) as i32
}

/// One graded position, as the pass decision sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Graded {
    /// 0 to 1.
    pub credit: f64,
    /// Must-pass when drawn.
    pub must_pass: bool,
}

impl Graded {
    /// A must-pass question not fully right.
    pub fn must_pass_missed(&self) -> bool {
        self.must_pass && self.credit < 1.0
    }
}

impl AttemptOutcome {
    pub fn passed(self) -> bool {
        self == AttemptOutcome::Passed
    }
}

/// The pass decision: the pass mark reached and every must-pass question fully right.
pub fn outcome(
    percent: i32,
    pass_percent: i32,
    items: impl IntoIterator<Item = Graded>,
) -> AttemptOutcome {
    if items.into_iter().any(|g| g.must_pass_missed()) {
        AttemptOutcome::MustPassMissed
    } else if percent >= pass_percent {
        AttemptOutcome::Passed
    } else {
        AttemptOutcome::BelowPassMark
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missed_must_pass_question_fails_whatever_the_percent() {
        let g = |credit: f64, must_pass: bool| Graded { credit, must_pass };
        let all_right = [g(1.0, true), g(1.0, false), g(0.0, false)];
        assert_eq!(outcome(66, 60, all_right), AttemptOutcome::Passed);
        assert_eq!(outcome(66, 70, all_right), AttemptOutcome::BelowPassMark);
        // Partial credit on a must-pass question is not enough.
        let partial = [g(0.5, true), g(1.0, false), g(1.0, false), g(1.0, false)];
        assert_eq!(outcome(87, 60, partial), AttemptOutcome::MustPassMissed);
        assert_eq!(
            outcome(0, 60, [g(0.0, true)]),
            AttemptOutcome::MustPassMissed
        );
        assert!(!AttemptOutcome::MustPassMissed.passed() && AttemptOutcome::Passed.passed());
        // A wrong question that is not must-pass only costs its point.
        assert_eq!(outcome(100, 100, [g(1.0, true)]), AttemptOutcome::Passed);
        assert_eq!(
            outcome(50, 50, [g(0.0, false), g(1.0, true)]),
            AttemptOutcome::Passed
        );
    }

    fn ident(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    fn choices(order: &[usize]) -> Layout {
        Layout {
            choices: order.to_vec(),
            ..Layout::default()
        }
    }

    #[test]
    fn specs_parse_from_what_the_importer_writes() {
        let s = Spec::parse(
            "single",
            &json!({"choices": [{"html": "a", "correct": true}, {"html": "b", "correct": false}]}),
        );
        assert_eq!(
            s,
            Some(Spec::Single {
                correct: vec![true, false]
            })
        );
        assert_eq!(
            Spec::parse(
                "matching",
                &json!({"pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}], "distractors": ["x"]})
            ),
            Some(Spec::Matching {
                pairs: 2,
                rights: 3
            })
        );
        assert_eq!(
            Spec::parse(
                "numeric",
                &json!({"answer": 3, "tolerance": 0, "unit": null})
            ),
            Some(Spec::Numeric {
                answer: 3.0,
                tolerance: 0.0
            })
        );
        assert_eq!(
            Spec::parse("ordering", &json!({"items": ["a", "b", "c"]})),
            Some(Spec::Ordering { items: 3 })
        );
        assert_eq!(
            Spec::parse("true_false", &json!({"answer": false})),
            Some(Spec::TrueFalse { answer: false })
        );
        assert_eq!(Spec::parse("essay", &json!({})), None);
        assert_eq!(Spec::parse("true_false", &json!({"answer": "no"})), None);
    }

    #[test]
    fn single_maps_keys_through_the_shown_order() {
        let spec = Spec::Single {
            correct: vec![true, false, false],
        };
        // Shown: c1 = written 2, c2 = written 0 (the correct one), c3 = written 1.
        let layout = choices(&[2, 0, 1]);
        let c = |a: Value| credit(&spec, &layout, Some(&a));
        assert_eq!(c(json!({"choice": "c2"})), 1.0);
        assert_eq!(c(json!({"choice": "c1"})), 0.0);
        assert_eq!(credit(&spec, &layout, None), 0.0);
        assert_eq!(
            correct_answer(&spec, &layout),
            json!({"choice": "c2"}),
            "the correct answer is given in this attempt's keys"
        );
        for bad in [
            json!({"choice": "c4"}),
            json!({"choice": "c0"}),
            json!({"choice": "c01"}),
            json!({"choice": 1}),
            json!({"choices": ["c1"]}),
            json!({"choice": "c1", "extra": 1}),
            json!("c1"),
            json!(null),
        ] {
            assert!(validate(&spec, &layout, &bad).is_err(), "{bad}");
            assert_eq!(credit(&spec, &layout, Some(&bad)), 0.0, "{bad}");
        }
    }

    #[test]
    fn multiple_is_right_minus_wrong_floored_at_zero() {
        // Written: a (correct), b (correct), c, d.
        let spec = Spec::Multiple {
            correct: vec![true, true, false, false],
        };
        let layout = choices(&ident(4));
        let c = |keys: &[&str]| credit(&spec, &layout, Some(&json!({ "choices": keys })));
        assert_eq!(c(&["c1", "c2"]), 1.0);
        assert_eq!(c(&["c1"]), 0.5, "one of two correct");
        assert_eq!(c(&["c1", "c3"]), 0.0, "one right, one wrong");
        assert_eq!(c(&["c1", "c2", "c3"]), 0.5);
        assert_eq!(
            c(&["c1", "c2", "c3", "c4"]),
            0.0,
            "everything earns nothing"
        );
        assert_eq!(c(&["c3", "c4"]), 0.0, "floored at zero");
        assert_eq!(c(&[]), 0.0, "nothing selected");
        // Every choice correct: selecting all is right.
        let all = Spec::Multiple {
            correct: vec![true, true],
        };
        assert_eq!(
            credit(
                &all,
                &choices(&[1, 0]),
                Some(&json!({"choices": ["c1", "c2"]}))
            ),
            1.0
        );
        // Duplicates and unknown keys are refused; order of selection does not matter.
        assert!(validate(&spec, &layout, &json!({"choices": ["c1", "c1"]})).is_err());
        assert!(validate(&spec, &layout, &json!({"choices": ["c5"]})).is_err());
        assert!(validate(&spec, &layout, &json!({"choices": "c1"})).is_err());
        assert_eq!(
            validate(&spec, &layout, &json!({"choices": ["c3", "c1"]})).unwrap(),
            json!({"choices": ["c1", "c3"]})
        );
        assert_eq!(
            validate(&spec, &layout, &json!({"choices": []})).unwrap(),
            json!({"choices": []})
        );
        let shuffled = choices(&[3, 1, 2, 0]);
        assert_eq!(
            correct_answer(&spec, &shuffled),
            json!({"choices": ["c2", "c4"]})
        );
        assert_eq!(
            credit(&spec, &shuffled, Some(&json!({"choices": ["c4", "c2"]}))),
            1.0
        );
    }

    #[test]
    fn true_false() {
        let spec = Spec::TrueFalse { answer: false };
        let layout = Layout::default();
        assert_eq!(credit(&spec, &layout, Some(&json!({"value": false}))), 1.0);
        assert_eq!(credit(&spec, &layout, Some(&json!({"value": true}))), 0.0);
        assert!(validate(&spec, &layout, &json!({"value": "false"})).is_err());
        assert!(validate(&spec, &layout, &json!({"value": 0})).is_err());
        assert_eq!(correct_answer(&spec, &layout), json!({"value": false}));
    }

    #[test]
    fn numeric_tolerance_is_inclusive_on_both_sides() {
        let spec = Spec::Numeric {
            answer: 4.0,
            tolerance: 0.05,
        };
        let layout = Layout::default();
        let c = |v: f64| credit(&spec, &layout, Some(&json!({ "value": v })));
        assert_eq!(c(4.0), 1.0);
        assert_eq!(
            c(4.05),
            1.0,
            "upper bound (4.05 - 4.0 is 0.04999... or 0.0500...01)"
        );
        assert_eq!(c(3.95), 1.0, "lower bound");
        assert_eq!(c(4.0501), 0.0);
        assert_eq!(c(3.9499), 0.0);
        assert_eq!(c(-4.0), 0.0);
        let exact = Spec::Numeric {
            answer: 3.0,
            tolerance: 0.0,
        };
        assert_eq!(credit(&exact, &layout, Some(&json!({"value": 3}))), 1.0);
        assert_eq!(credit(&exact, &layout, Some(&json!({"value": 3.1}))), 0.0);
        // 0.1 + 0.2 is not exactly 0.3: the allowance takes it.
        let fp = Spec::Numeric {
            answer: 0.3,
            tolerance: 0.0,
        };
        assert_eq!(
            credit(&fp, &layout, Some(&json!({"value": 0.1 + 0.2}))),
            1.0
        );
        assert!(validate(&spec, &layout, &json!({"value": "4"})).is_err());
        assert!(validate(&spec, &layout, &json!({"value": null})).is_err());
        assert_eq!(correct_answer(&spec, &layout), json!({"value": 4.0}));
    }

    #[test]
    fn matching_earns_the_fraction_matched_and_distractors_match_nothing() {
        // Written pairs: 0 (Lavender-EDTA), 1 (Light blue-Citrate), 2 (Gray-Fluoride);
        // right 3 is a distractor.
        let spec = Spec::Matching {
            pairs: 3,
            rights: 4,
        };
        let layout = Layout {
            left: vec![1, 0, 2],     // l1 = pair 1, l2 = pair 0, l3 = pair 2
            right: vec![3, 2, 0, 1], // r1 = distractor, r2 = pair 2, r3 = pair 0, r4 = pair 1
            ..Layout::default()
        };
        let c = |pairs: Value| credit(&spec, &layout, Some(&json!({ "pairs": pairs })));
        assert_eq!(c(json!({"l1": "r4", "l2": "r3", "l3": "r2"})), 1.0);
        assert_eq!(
            correct_answer(&spec, &layout),
            json!({"pairs": {"l1": "r4", "l2": "r3", "l3": "r2"}})
        );
        assert!(
            (c(json!({"l1": "r4", "l2": "r3"})) - 2.0 / 3.0).abs() < 1e-12,
            "partial"
        );
        assert!(
            (c(json!({"l1": "r4", "l2": "r1"})) - 1.0 / 3.0).abs() < 1e-12,
            "distractor"
        );
        assert_eq!(c(json!({})), 0.0, "empty map");
        // A right key given to two left items, unknown keys, wrong shapes: refused.
        for bad in [
            json!({"pairs": {"l1": "r4", "l2": "r4"}}),
            json!({"pairs": {"l4": "r1"}}),
            json!({"pairs": {"l1": "r5"}}),
            json!({"pairs": {"l1": 4}}),
            json!({"pairs": [["l1", "r4"]]}),
        ] {
            assert!(validate(&spec, &layout, &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ordering_is_all_or_nothing_and_must_be_a_permutation() {
        let spec = Spec::Ordering { items: 3 };
        // Shown: i1 = written 2, i2 = written 0, i3 = written 1. Correct: i2, i3, i1.
        let layout = Layout {
            items: vec![2, 0, 1],
            ..Layout::default()
        };
        let c = |order: &[&str]| credit(&spec, &layout, Some(&json!({ "order": order })));
        assert_eq!(c(&["i2", "i3", "i1"]), 1.0);
        assert_eq!(
            c(&["i1", "i2", "i3"]),
            0.0,
            "the shown order is not correct"
        );
        assert_eq!(c(&["i3", "i2", "i1"]), 0.0);
        assert_eq!(
            correct_answer(&spec, &layout),
            json!({"order": ["i2", "i3", "i1"]})
        );
        for bad in [
            json!({"order": ["i1", "i1", "i2"]}),
            json!({"order": ["i1", "i2"]}),
            json!({"order": ["i1", "i2", "i3", "i3"]}),
            json!({"order": ["i1", "i2", "i4"]}),
            json!({"order": []}),
        ] {
            assert!(validate(&spec, &layout, &bad).is_err(), "{bad}");
            assert_eq!(credit(&spec, &layout, Some(&bad)), 0.0);
        }
    }

    #[test]
    fn layouts_are_fitted_to_a_spec_that_changed() {
        let spec = Spec::Single {
            correct: vec![false, true, false],
        };
        let stored = choices(&[3, 1, 1, 0]);
        assert_eq!(stored.fitted(&spec).choices, vec![1, 0, 2]);
        assert_eq!(choices(&[2, 0, 1]).fitted(&spec).choices, vec![2, 0, 1]);
    }

    #[test]
    fn percent_rounds_down_without_floating_point_surprises() {
        assert_eq!(percent(7.5, 10), 75);
        assert_eq!(percent(2.0, 3), 66);
        assert_eq!(percent(3.0, 3), 100);
        assert_eq!(percent(0.0, 6), 0);
        // 0.7 * 100 / 1 is 70.00000000000001 or 69.99999999999999 depending on the path.
        assert_eq!(percent(0.1 + 0.2 + 0.4, 1), 70);
        assert_eq!(percent(4.0 + 2.0 / 3.0 + 1.0 / 3.0, 6), 83);
    }
}
