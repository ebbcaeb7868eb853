//! What Malachite sees of this application: the context type and the values, votes,
//! proposals, signatures, validator sets and wire codec it is generic over. No decisions here:
//! those are the decision core's ([`super::decision`]), and sockets, disks and clocks are the
//! app loop's ([`super::app`]).

pub mod codec;
pub mod context;
pub mod messages;
pub mod scheme;
pub mod signing;
pub mod types;
pub mod validators;
