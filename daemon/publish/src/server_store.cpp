// Kept apart from server.cpp so that code using only the Catalog constructor (tests,
// benchmarks) does not link the Store.
#include "tinhop/publish/server.hpp"

namespace tinhop::publish {

Server::Server(boost::asio::io_context& ioc, storage::Store& store, ServerOptions options)
    : Server(ioc, std::make_unique<StoreCatalog>(store), std::move(options)) {}

}  // namespace tinhop::publish
