// Placeholder translation unit until the scheduler module lands.
namespace tinhop::scheduler {}
