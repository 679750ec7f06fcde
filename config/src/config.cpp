// Placeholder translation unit until the config module lands.
namespace tinhop::config {}
