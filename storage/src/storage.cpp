// Placeholder translation unit until the storage module lands.
namespace tinhop::storage {}
