//! roster-rbac against cedar-policy and casbin on the same seeded questions.
//! Refuses to time anything unless all three engines agree on every answer.
//!
//! Run: `cd crates/roster-rbac/compare && cargo bench`

use std::hint::black_box;
use std::process::ExitCode;

use criterion::Criterion;
use roster_rbac_compare::{CasbinEngine, CedarEngine, RosterEngine, disagreements, fixture};

const SEED: u64 = 0x5eed_2026;
const QUESTIONS: usize = 1000;

fn main() -> ExitCode {
    let f = fixture(SEED, QUESTIONS);
    let roster = RosterEngine::new(&f);
    let (cedar, casbin) = match (CedarEngine::new(&f), CasbinEngine::new(&f)) {
        (Ok(c), Ok(k)) => (c, k),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("could not build the engines: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wrong = disagreements(&f, &roster, &cedar, &casbin);
    if !wrong.is_empty() {
        eprintln!(
            "{} of {QUESTIONS} questions answered differently; not timing anything:",
            wrong.len()
        );
        for (i, r, c, k) in wrong.iter().take(20) {
            let s = &f.subjects[f.questions[*i].subject];
            eprintln!(
                "  #{i} {} {:?}: roster={r} cedar={c} casbin={k}",
                s.name, f.questions[*i]
            );
        }
        return ExitCode::FAILURE;
    }
    let allowed = (0..QUESTIONS).filter(|i| roster.answer(*i)).count();
    println!(
        "all three engines agree on {QUESTIONS} questions ({allowed} allowed, {} denied)",
        QUESTIONS - allowed
    );

    let mut c = Criterion::default().configure_from_args();
    for (s, spec) in f.subjects.iter().enumerate() {
        let mine: Vec<usize> = (0..QUESTIONS)
            .filter(|i| f.questions[*i].subject == s)
            .collect();
        let mut group = c.benchmark_group(format!("compare/{}", spec.name));
        let n = mine.len();
        let mut cycle = |name: &str, answer: &dyn Fn(usize) -> bool| {
            group.bench_function(name, |b| {
                let mut k = 0;
                b.iter(|| {
                    k = (k + 1) % n;
                    black_box(answer(black_box(mine[k])))
                })
            });
        };
        cycle("roster", &|i| roster.answer(i));
        cycle("cedar", &|i| cedar.answer(i));
        cycle("casbin", &|i| casbin.answer(i));
        group.finish();
    }
    c.final_summary();
    ExitCode::SUCCESS
}
