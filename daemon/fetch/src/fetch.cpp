// Placeholder translation unit until the fetch module lands.
namespace tinhop::fetch {}
