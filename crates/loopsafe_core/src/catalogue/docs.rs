//! The documentation generated from the catalogue: per rule, the APIs whose rows report
//! under it, for `loopsafe rule CODE` and the README's "What it finds" table.
