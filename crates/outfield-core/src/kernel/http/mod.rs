//! The small HTTP kit every feature's handlers use: extractors whose errors name the field, and the
//! body limit the API applies. The router that joins the features' routes lives in the binary.

pub mod extract;

/// Largest JSON body any API route accepts. Uploads get their own limits on their own routes.
pub const BODY_LIMIT: usize = 64 * 1024;
