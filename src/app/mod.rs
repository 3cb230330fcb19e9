//! The application core (The Elm Architecture): one `Model`, one `Msg`, a pure
//! `update`, and the loop that runs effects on the tasks owning resources.
