#!/usr/bin/env python3
"""Helper for scripts/bench-reports.sh (standard library only).

  bench_reports.py course DIR [MODULES] [LESSONS_PER_MODULE]
      Write the bench-only course `bench-reports` under DIR: MODULES modules (default 6) of
      LESSONS_PER_MODULE lessons (default 10, so 60 lessons), each module with a required
      10-question quiz drawn from its own bank, a final exam required for completion, and an
      externship of 100 hours, so that `benchside seed` writes every kind of row the cohort
      dashboard reads (lesson progress, quiz attempts and outcomes, externship entries and
      attestation requests). Generated for measurements only: never commit it under courses/.
"""
import json
import os
import sys

COURSE = "bench-reports"


def q(s):
    return json.dumps(s)  # a TOML basic string is a JSON string for this ASCII text


def write_course(root, modules, per_module):
    course = os.path.join(root, COURSE)
    lessons = modules * per_module
    questions = modules * 10 + modules * 2  # module quizzes + final exam
    # contact hours at most 1.5 * (lesson minutes + 1.5 * quiz questions) / 60 (courses/README.md)
    contact = int(1.5 * (lessons * 10 + 1.5 * questions) / 60)
    os.makedirs(course, exist_ok=True)
    draw = ", ".join(f'{{ bank = "bench-module-{m:02d}", count = 2 }}' for m in range(1, modules + 1))
    with open(os.path.join(course, "course.toml"), "w") as f:
        f.write(f'''slug = "{COURSE}"
title = "Reports benchmark course"
summary = "A generated course used only by scripts/bench-reports.sh to measure the cohort reports."
description = """
Generated for measurements: {modules} modules of {per_module} lessons, a required quiz per
module, a final exam and an externship.
"""
level = "beginner"
estimated_hours = {max(1, lessons * 10 // 60)}
contact_hours = {contact}.0
sequential = true
access_days = 365
published = true

[completion]
all_lessons = true
quizzes = ["bench-final"]
externship = true

[[quizzes]]
slug = "bench-final"
title = "Benchmark final exam"
final = true
pass_percent = 75
max_attempts = 3
time_limit_minutes = 0
cooldown_minutes = 0
review = "after_submit"
requires_other_requirements = true
draw = [ {draw} ]

[externship]
total_hours = 100
max_hours_per_day = 12
procedures = [
  {{ slug = "venipuncture", name = "Successful unaided venipunctures", min_count = 50 }},
]
min_total_procedures = 50
notes = "Generated for measurements only."
''')
    for m in range(1, modules + 1):
        module = os.path.join(course, "modules", f"{m:02d}-bench-module-{m:02d}")
        os.makedirs(module, exist_ok=True)
        with open(os.path.join(module, "module.toml"), "w") as f:
            f.write(f'''title = "Benchmark module {m}"
summary = "Module {m} of the generated reports benchmark course."

[quiz]
slug = "bench-module-{m:02d}-quiz"
title = "Benchmark module {m} quiz"
pass_percent = 80
max_attempts = 0
time_limit_minutes = 0
cooldown_minutes = 0
review = "after_submit"
required = true
draw = [ {{ bank = "bench-module-{m:02d}", count = 10 }} ]
''')
        for n in range(1, per_module + 1):
            slug = f"bench-lesson-{m:02d}-{n:02d}"
            with open(os.path.join(module, f"{n:02d}-{slug}.md"), "w") as f:
                f.write(f'''+++
title = "Benchmark lesson {m}.{n}"
estimated_minutes = 10
objectives = ["Exist so that the generated benchmark course has {lessons} lessons"]
free_preview = false
+++

Lesson {n} of module {m}: generated for measurements, it holds no teaching content.

## References

1. Benchside. *Course content format*, courses/README.md in this repository.
''')
        with open(os.path.join(module, "questions.toml"), "w") as f:
            for i in range(1, 13):
                f.write(f'''[[questions]]
slug = "bench-question-{i:02d}"
type = "single"
prompt = {q(f"Benchmark question {i} of module {m}: which choice is right?")}
explanation = "Generated for measurements; the first choice is right by construction."
choices = [
  {{ text = "The first choice", correct = true }},
  {{ text = "The second choice" }},
  {{ text = "The third choice" }},
]

''')


def main(argv):
    if len(argv) >= 3 and argv[1] == "course":
        modules = int(argv[3]) if len(argv) > 3 else 6
        per_module = int(argv[4]) if len(argv) > 4 else 10
        write_course(argv[2], modules, per_module)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
