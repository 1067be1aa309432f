// The compiled bodies of Boost.Asio and Boost.Beast, built once.
//
// Every target that includes Asio or Beast headers must link opscale_asio:
// it carries BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION, which turn the libraries' non-template
// code from inline into declarations defined here. That saves about 7 s of
// every Beast translation unit's compile, for a one-time ~21 s here.
// asio::ssl (opscaled's TLS, http_server.cc) is compiled here too.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
