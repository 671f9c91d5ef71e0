pub mod admin;
pub mod audit;
pub mod db;
pub mod evidence;
pub mod incident;
pub mod scan;
pub mod secrets;
pub mod serve;
