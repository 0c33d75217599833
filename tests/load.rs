//! Load test: written by the reliability work (issue 7).
