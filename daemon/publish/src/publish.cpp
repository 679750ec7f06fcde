// Placeholder translation unit until the publish module lands.
namespace tinhop::publish {}
