pub mod db;
pub mod scan;
