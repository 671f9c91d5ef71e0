//! CVSS.
