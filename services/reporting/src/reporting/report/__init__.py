"""The period report: tables of a period's figures (suppressed), rendered as HTML with SVG charts and as CSV."""
