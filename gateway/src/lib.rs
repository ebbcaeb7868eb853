//! HTTP gateway for legacy systems: REST/JSON, DCSA endpoints, verification page and events (issue 4; not built yet).
