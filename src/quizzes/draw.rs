//! Drawing an attempt: which questions (random per bank, per the quiz's blueprint), in which
//! order, and the shown order of each question's choices, columns or items. Pure functions
//! over a random number generator, so tests can seed it.

use std::collections::HashMap;

use rand::Rng;
use rand::seq::SliceRandom;

use super::grading::{Layout, Spec};

/// One entry of a quiz's `draw`: how many questions from which bank.
#[derive(Debug, Clone, serde::Deserialize, PartialEq, Eq)]
pub struct Blueprint {
    pub bank: String,
    pub count: i32,
}

/// Picks `count` questions at random from each bank's live questions (all of them when the
/// bank holds fewer), then shuffles the whole paper. The bank's must-pass questions
/// (`must_pass`) are always among those picked (validation makes `count` hold them); the rest
/// are random. `pool` maps bank slug to question candidates in any order; the result holds
/// candidates in the order they are shown.
pub fn pick<T: Clone, R: Rng + ?Sized>(
    blueprint: &[Blueprint],
    pool: &HashMap<String, Vec<T>>,
    must_pass: impl Fn(&T) -> bool,
    rng: &mut R,
) -> Vec<T> {
    let mut paper = Vec::new();
    // Each bank is shuffled once and drawn from the front, so a blueprint naming a bank twice
    // never draws a question twice.
    let mut left: HashMap<&str, Vec<T>> = HashMap::new();
    for entry in blueprint {
        let Some(candidates) = pool.get(&entry.bank) else {
            continue;
        };
        let bank = left.entry(entry.bank.as_str()).or_insert_with(|| {
            let mut bank = candidates.clone();
            bank.shuffle(rng);
            // Stable: must-pass first, each group still in random order.
            bank.sort_by_key(|q| !must_pass(q));
            bank
        });
        let n = usize::try_from(entry.count).unwrap_or(0).min(bank.len());
        paper.extend(bank.drain(..n));
    }
    paper.shuffle(rng);
    paper
}

fn shuffled<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    v.shuffle(rng);
    v
}

/// A shuffle of `0..n` that is never the identity when `n >= 2` (ordering questions must not
/// be shown solved). Reshuffles; after a few unlucky draws, rotates by one.
fn shuffled_not_identity<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<usize> {
    let mut v = shuffled(n, rng);
    let identity = |v: &[usize]| v.iter().enumerate().all(|(i, x)| i == *x);
    for _ in 0..8 {
        if n < 2 || !identity(&v) {
            return v;
        }
        v.shuffle(rng);
    }
    if identity(&v) {
        v.rotate_left(1);
    }
    v
}

/// The shown order of one question: choices shuffled unless the author fixed them
/// (`shuffle = false`); matching left and right columns always shuffled; ordering items
/// always shuffled and never in the correct order.
pub fn layout<R: Rng + ?Sized>(spec: &Spec, shuffle: bool, rng: &mut R) -> Layout {
    match spec {
        Spec::Single { correct } | Spec::Multiple { correct } => Layout {
            choices: if shuffle {
                shuffled(correct.len(), rng)
            } else {
                (0..correct.len()).collect()
            },
            ..Layout::default()
        },
        Spec::Matching { pairs, rights } => Layout {
            left: shuffled(*pairs, rng),
            right: shuffled(*rights, rng),
            ..Layout::default()
        },
        Spec::Ordering { items } => Layout {
            items: shuffled_not_identity(*items, rng),
            ..Layout::default()
        },
        Spec::TrueFalse { .. } | Spec::Numeric { .. } => Layout::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashSet;

    #[test]
    fn pick_takes_count_per_bank_without_repeats() {
        let mut rng = StdRng::seed_from_u64(7);
        let pool: HashMap<String, Vec<u32>> = [
            ("a".to_string(), (0..10).collect()),
            ("b".to_string(), (100..103).collect()),
        ]
        .into();
        let bp = vec![
            Blueprint {
                bank: "a".into(),
                count: 4,
            },
            Blueprint {
                bank: "b".into(),
                count: 5, // more than the bank holds: all of it
            },
            Blueprint {
                bank: "missing".into(),
                count: 2,
            },
        ];
        let mut seen_sets = HashSet::new();
        for _ in 0..20 {
            let paper = pick(&bp, &pool, |_| false, &mut rng);
            assert_eq!(paper.len(), 7);
            let distinct: HashSet<u32> = paper.iter().copied().collect();
            assert_eq!(distinct.len(), 7, "no question twice");
            assert_eq!(paper.iter().filter(|q| **q < 10).count(), 4);
            assert_eq!(paper.iter().filter(|q| **q >= 100).count(), 3);
            let mut sorted = paper.clone();
            sorted.sort();
            seen_sets.insert(sorted);
        }
        assert!(seen_sets.len() > 1, "the draw is random");
        // A bank named twice: never the same question twice.
        let twice = vec![
            Blueprint {
                bank: "b".into(),
                count: 2,
            },
            Blueprint {
                bank: "b".into(),
                count: 2,
            },
        ];
        for _ in 0..20 {
            let paper = pick(&twice, &pool, |_| false, &mut rng);
            let distinct: HashSet<u32> = paper.iter().copied().collect();
            assert_eq!((paper.len(), distinct.len()), (3, 3));
        }
    }

    #[test]
    fn must_pass_questions_are_always_drawn_and_the_rest_stay_random() {
        let mut rng = StdRng::seed_from_u64(11);
        let pool: HashMap<String, Vec<u32>> = [("a".to_string(), (0..10).collect())].into();
        let must = |q: &u32| *q == 3 || *q == 8;
        let bp = vec![Blueprint {
            bank: "a".into(),
            count: 4,
        }];
        let mut others = HashSet::new();
        let mut first_positions = HashSet::new();
        for _ in 0..50 {
            let paper = pick(&bp, &pool, must, &mut rng);
            assert_eq!(paper.len(), 4);
            assert!(paper.contains(&3) && paper.contains(&8), "{paper:?}");
            let mut rest: Vec<u32> = paper.iter().copied().filter(|q| !must(q)).collect();
            rest.sort();
            others.insert(rest);
            first_positions.insert(paper.iter().position(|q| *q == 3));
        }
        assert!(others.len() > 5, "the other picks are random: {others:?}");
        assert!(first_positions.len() > 1, "the paper is shuffled");
        // Without must-pass questions, 2 of 10 are rarely always the same two.
        let plain: HashSet<bool> = (0..50)
            .map(|_| {
                let paper = pick(&bp, &pool, |_| false, &mut rng);
                paper.contains(&3) && paper.contains(&8)
            })
            .collect();
        assert!(plain.contains(&false));
    }

    #[test]
    fn ordering_items_are_never_shown_in_the_correct_order() {
        let mut rng = StdRng::seed_from_u64(1);
        for n in 2..=5 {
            for _ in 0..500 {
                let l = layout(&Spec::Ordering { items: n }, true, &mut rng);
                let mut sorted = l.items.clone();
                sorted.sort();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "a permutation");
                assert_ne!(l.items, (0..n).collect::<Vec<_>>());
            }
        }
        // Even with shuffle = false (which only concerns choices).
        let l = layout(&Spec::Ordering { items: 2 }, false, &mut rng);
        assert_eq!(l.items, vec![1, 0]);
    }

    #[test]
    fn choices_keep_the_written_order_only_when_the_author_says_so() {
        let mut rng = StdRng::seed_from_u64(3);
        let spec = Spec::Single {
            correct: vec![true, false, false, false],
        };
        for _ in 0..20 {
            assert_eq!(layout(&spec, false, &mut rng).choices, vec![0, 1, 2, 3]);
        }
        let orders: HashSet<Vec<usize>> = (0..50)
            .map(|_| layout(&spec, true, &mut rng).choices)
            .collect();
        assert!(orders.len() > 5, "{orders:?}");
        // Matching columns are shuffled whatever `shuffle` says.
        let m = Spec::Matching {
            pairs: 4,
            rights: 5,
        };
        let lefts: HashSet<Vec<usize>> =
            (0..50).map(|_| layout(&m, false, &mut rng).left).collect();
        assert!(lefts.len() > 5);
        let l = layout(&m, false, &mut rng);
        assert_eq!(l.right.len(), 5);
        assert!(layout(&Spec::TrueFalse { answer: true }, true, &mut rng) == Layout::default());
    }
}
