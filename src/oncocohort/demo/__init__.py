"""oncocohort.demo: synthetic demo studies and a scalable synthetic cohort. All data are SYNTHETIC.

* :func:`generate_study` / :func:`write_study` — a demo study (preset name, seed) as a study folder:
  ``protocol.yaml`` (the preset with ``study.synthetic: true``), one CSV per table, ``README.md``;
* :func:`bundled_study_dir`, :func:`bundled_protocol_path`, :func:`export_study` — the studies
  shipped in the package (``demo/studies/<preset>/``);
* :func:`run_demo` — the pipeline on a bundled study (``oncocohort demo``);
* :func:`synth_tables` / :func:`write_synth` — a large cohort as Parquet (``oncocohort synth``).

The seed-001 study reproduces the published Tables I, II and V and the discontinuation counts
exactly for every seed, and the survival figures approximately (docs/demo.md).
"""

from oncocohort.demo.pipeline import DemoRun, run_demo
from oncocohort.demo.studies import (
    SYNTHETIC_NOTE,
    DemoStudy,
    bundled_protocol_path,
    bundled_study_dir,
    export_study,
    generate_study,
    regenerate_bundled,
    write_study,
)
from oncocohort.demo.synth import synth_tables, write_synth

__all__ = [
    "SYNTHETIC_NOTE", "DemoRun", "DemoStudy", "bundled_protocol_path", "bundled_study_dir", "export_study",
    "generate_study", "regenerate_bundled", "run_demo", "synth_tables", "write_study", "write_synth",
]
