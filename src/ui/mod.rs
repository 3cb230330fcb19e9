//! Views: functions of `&Model` that draw one pane each. They only borrow.
