//! HTTP tests: the router over mockall mocks of the ports, driven with `oneshot`.

mod fixtures;
mod members;
mod routes;
mod users;
