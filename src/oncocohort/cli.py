"""The ``oncocohort`` command line: a thin layer over the pipeline stages.

Each command parses its arguments, calls one stage function and renders the outcome; no analysis
logic lives here.
"""

from __future__ import annotations

import typer

from oncocohort import __version__

app = typer.Typer(
    name="oncocohort",
    help="Oncology cohort study: protocol + raw records -> validated database -> analysis -> report.",
    no_args_is_help=True,
    add_completion=False,
)
protocol_app = typer.Typer(help="Study protocol files (YAML).", no_args_is_help=True)
app.add_typer(protocol_app, name="protocol")


@app.command()
def version() -> None:
    """Print the oncocohort version."""
    typer.echo(__version__)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
