// opscaled with --tls-cert/--tls-key, driven by the real CLI, curl, openssl
// s_client and the mariadb client. The CA and the certificates are made
// with the `openssl` command in a temporary directory at test time (no key
// is ever committed).
//
// What is shown: the CLI verifies the server (with --ca-file or
// OPSCALE_CA_FILE it works; without, or for another host name, it fails
// with a verification error); TLS below 1.2 and TLS 1.2 without ECDHE+AEAD
// are refused by the server (the clients are told to offer them); plain
// HTTP on the TLS port gets no API answer; the dashboard cookie is Secure;
// `opscale connect` works over TLS and deleting its token cuts the tunnel;
// bad certificate files stop `opscaled serve` at start-up.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

// Runs `openssl ARGS...` and fails the test when it fails.
void OpenSsl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = RunProcess(argv, {}, "", 60);
  ASSERT_EQ(r.exit_code, 0) << "openssl " << args[0] << ": " << r.err;
}

// A throwaway CA and certificates signed by it.
struct Pki {
  TempDir dir;
  std::string Path(const std::string& name) const { return dir.path() + "/" + name; }

  void MakeCa(const std::string& name) {
    OpenSsl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", Path(name + ".key"), "-out", Path(name + ".pem"), "-days", "2", "-subj",
             "/CN=opscale test " + name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
  }
  // An RSA server certificate (so that the RSA key exchange and CBC suites
  // exist for the key type and their refusal is the policy's doing).
  void MakeServerCert(const std::string& name, const std::string& ca, const std::string& san) {
    OpenSsl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", Path(name + ".key"), "-out",
             Path(name + ".csr"), "-subj", "/CN=" + name});
    {
      std::ofstream ext(Path(name + ".ext"));
      ext << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n"
          << "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n";
    }
    OpenSsl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path(ca + ".pem"), "-CAkey",
             Path(ca + ".key"), "-CAcreateserial", "-out", Path(name + ".pem"), "-days", "2",
             "-extfile", Path(name + ".ext")});
  }
};

Pki* pki_ = nullptr;
Server* server_ = nullptr;

std::vector<std::string> TlsServeArgs(const std::string& cert) {
  return {"--tls-cert", pki_->Path(cert + ".pem"), "--tls-key", pki_->Path(cert + ".key")};
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new Pki();
    pki_->MakeCa("ca");
    pki_->MakeCa("other-ca");
    pki_->MakeServerCert("server", "ca", "DNS:localhost,IP:127.0.0.1");
    pki_->MakeServerCert("wrong-host", "ca", "DNS:other.example");
    if (::testing::Test::HasFatalFailure()) return;
    ServerOptions o;
    o.serve_args = TlsServeArgs("server");
    server_ = new Server(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete pki_;
    pki_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    home_ = std::make_unique<TempDir>();
  }

  static std::string Ca() { return pki_->Path("ca.pem"); }
  static std::string Port() { return server_->url().substr(server_->url().rfind(':') + 1); }

  // The real CLI as the org's admin, with `env` added (HOME private, no
  // credentials or CA from the caller's environment).
  RunResult Cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), OpscaleBin());
    env.emplace("HOME", home_->path());
    env.emplace("PLANETSCALE_API_TOKEN", server_->admin().api_token);
    for (const char* v : {"PLANETSCALE_SERVICE_TOKEN", "PLANETSCALE_SERVICE_TOKEN_ID",
                          "PLANETSCALE_API_URL", "PLANETSCALE_ORG", "OPSCALE_CA_FILE"})
      env.emplace(v, "\x01unset");
    return RunProcess(args, env);
  }

  // curl with `extra` options; returns the status ("000" when no HTTP
  // answer), the body, and curl's exit code.
  struct CurlResult {
    int exit_code = -1;
    int status = 0;
    std::string headers, body, err;
  };
  static CurlResult CurlTls(const std::string& method, const std::string& url,
                            std::vector<std::string> extra, const std::vector<std::string>& headers = {},
                            const std::string& body = "") {
    std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-X", method, url, "-D",
                                     "-", "--max-time", "20"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const auto& h : headers) argv.insert(argv.end(), {"-H", h});
    if (!body.empty()) argv.insert(argv.end(), {"--data-binary", "@-"});
    RunResult r = RunProcess(argv, {}, body, 30);
    CurlResult out;
    out.exit_code = r.exit_code;
    out.err = r.err;
    size_t split = r.out.find("\r\n\r\n");
    out.headers = r.out.substr(0, split);
    out.body = split == std::string::npos ? "" : r.out.substr(split + 4);
    if (r.out.rfind("HTTP/", 0) == 0) out.status = std::atoi(r.out.c_str() + 9);
    return out;
  }
  static std::string Admin() { return BearerHeader(server_->admin().api_token); }

  std::unique_ptr<TempDir> home_;
};

TEST_F(TlsTest, ServerAnnouncesHttps) {
  EXPECT_EQ(server_->url().rfind("https://127.0.0.1:", 0), 0u) << server_->url();
  EXPECT_NE(server_->Log().find("TLS: certificate CN=server"), std::string::npos) << server_->Log();
}

TEST_F(TlsTest, CliWithTheCaFileWorks) {
  RunResult flag = Cli({"service-token", "list", "--org", "acme", "--format", "json", "--api-url",
                        server_->url(), "--ca-file", Ca()});
  EXPECT_EQ(flag.exit_code, 0) << Masked(flag.err);
  EXPECT_TRUE(json::parse(flag.out).is_array()) << Masked(flag.out);

  // The same through the environment, and by host name.
  RunResult env = Cli({"service-token", "list", "--org", "acme", "--format", "json"},
                      {{"PLANETSCALE_API_URL", "https://localhost:" + Port()}, {"OPSCALE_CA_FILE", Ca()}});
  EXPECT_EQ(env.exit_code, 0) << Masked(env.err);
  EXPECT_EQ(env.out, flag.out);
}

TEST_F(TlsTest, CliWithoutTheCaFileFailsVerification) {
  RunResult none = Cli({"service-token", "list", "--org", "acme", "--api-url", server_->url()});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("SSL certificate problem"), std::string::npos) << Masked(none.err);
  EXPECT_NE(none.err.find("--ca-file"), std::string::npos) << Masked(none.err);
  EXPECT_EQ(none.out.find("pscale_tkn_"), std::string::npos);

  // A CA file that did not sign the server's certificate is no better.
  RunResult other = Cli({"service-token", "list", "--org", "acme", "--api-url", server_->url(),
                         "--ca-file", pki_->Path("other-ca.pem")});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("SSL certificate problem"), std::string::npos) << Masked(other.err);

  // A CA file that cannot be read is named before any request.
  RunResult missing = Cli({"service-token", "list", "--org", "acme", "--api-url", server_->url(),
                           "--ca-file", home_->path() + "/no-such-ca.pem"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("cannot read the CA file " + home_->path() + "/no-such-ca.pem"),
            std::string::npos)
      << Masked(missing.err);
}

TEST_F(TlsTest, CliChecksTheHostName) {
  // Signed by the trusted CA, but for another name.
  ServerOptions o;
  o.serve_args = TlsServeArgs("wrong-host");
  Server wrong(o);
  RunResult r = Cli({"service-token", "list", "--org", "acme", "--api-url", wrong.url(), "--ca-file", Ca()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no alternative certificate subject name matches target host name '127.0.0.1'"),
            std::string::npos)
      << Masked(r.err);
}

TEST_F(TlsTest, ProtocolsBelowTls12AreRefused) {
  // The clients are told to offer TLS 1.1 (their own configuration would
  // not), so the refusal is the server's: it answers with an alert.
  const std::string where = "127.0.0.1:" + Port();
  RunResult s11 = RunProcess({"/usr/bin/openssl", "s_client", "-connect", where, "-tls1_1", "-cipher",
                              "DEFAULT@SECLEVEL=0"},
                             {}, "", 20);
  EXPECT_NE(s11.exit_code, 0);
  EXPECT_NE((s11.out + s11.err).find("alert protocol version"), std::string::npos) << s11.out << s11.err;
  CurlResult c11 = CurlTls("GET", server_->url() + "/healthz",
                           {"--cacert", Ca(), "--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"});
  EXPECT_EQ(c11.exit_code, 35) << c11.err;  // CURLE_SSL_CONNECT_ERROR
  EXPECT_EQ(c11.status, 0);

  // The same tools with TLS 1.2 and 1.3 get through.
  for (const char* version : {"1.2", "1.3"}) {
    CurlResult ok = CurlTls("GET", server_->url() + "/healthz",
                            {"--cacert", Ca(), std::string("--tlsv") + version, "--tls-max", version});
    EXPECT_EQ(ok.status, 200) << version << ": " << ok.err;
  }
}

TEST_F(TlsTest, Tls12OffersOnlyEcdheWithAead) {
  const std::string where = "127.0.0.1:" + Port();
  auto handshake = [&](const std::string& cipher) {
    return RunProcess({"/usr/bin/openssl", "s_client", "-connect", where, "-tls1_2", "-cipher",
                       cipher + "@SECLEVEL=0", "-CAfile", Ca()},
                      {}, "", 20);
  };
  RunResult good = handshake("ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("Cipher is ECDHE-RSA-AES128-GCM-SHA256"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("Compression: NONE"), std::string::npos) << good.out;
  // RSA key exchange, finite-field DH, and CBC: all exist for an RSA
  // certificate and are refused.
  for (const char* cipher : {"AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"}) {
    RunResult bad = handshake(cipher);
    EXPECT_NE(bad.exit_code, 0) << cipher;
    EXPECT_NE((bad.out + bad.err).find("handshake failure"), std::string::npos)
        << cipher << ": " << bad.out << bad.err;
  }
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoApiAnswer) {
  std::string plain = "http://127.0.0.1:" + Port();
  CurlResult r = CurlTls("GET", plain + "/v1/organizations", {}, {Admin()});
  EXPECT_EQ(r.status, 400) << r.err;
  EXPECT_NE(r.body.find("this port serves HTTPS only: use an https:// URL"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("acme"), std::string::npos) << r.body;
  // The CLI pointed at it in plain text gets no data either.
  RunResult cli = Cli({"service-token", "list", "--org", "acme", "--format", "json", "--api-url", plain});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE((cli.out + cli.err).find("this port serves HTTPS only"), std::string::npos)
      << cli.out << Masked(cli.err);
  EXPECT_EQ(cli.out.find("pscale_tkn_"), std::string::npos);
}

TEST_F(TlsTest, DashboardCookieIsSecureAndOAuthUsesHttps) {
  std::string body = json::serialize(json::object{{"email", server_->admin().admin_email},
                                                  {"password", server_->admin().admin_password}});
  CurlResult login = CurlTls("POST", server_->url() + "/auth/login", {"--cacert", Ca()},
                             {"Content-Type: application/json", "Origin: " + server_->url()}, body);
  ASSERT_EQ(login.status, 200) << login.err;
  std::string cookie;
  for (size_t at = login.headers.find("\nSet-Cookie: "); at != std::string::npos;
       at = login.headers.find("\nSet-Cookie: ", at + 1)) {
    cookie = login.headers.substr(at + 1, login.headers.find('\r', at) - at - 1);
  }
  ASSERT_FALSE(cookie.empty()) << login.headers;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << "cookie attributes: "
                                                       << cookie.substr(cookie.find(';'));

  // The device flow's verification address is https too.
  CurlResult device = CurlTls("POST", server_->url() + "/oauth/authorize_device", {"--cacert", Ca()},
                              {"Content-Type: application/x-www-form-urlencoded"}, "client_id=pscale_app_opscale_cli");
  ASSERT_EQ(device.status, 200) << device.err;
  json::value v = json::parse(device.body);  // holds a device code: not printed
  ASSERT_TRUE(v.is_object());
  std::string uri(v.at("verification_uri").as_string());
  EXPECT_EQ(uri, server_->url() + "/oauth/device");
}

TEST_F(TlsTest, ConnectOverTlsRunsAQueryAndDeletingTheTokenCutsIt) {
  const std::string url = server_->url(), admin = Admin();
  auto api = [&](const std::string& method, const std::string& path, const std::string& body = "") {
    std::vector<std::string> h = {admin};
    if (!body.empty()) h.push_back("Content-Type: application/json");
    return CurlTls(method, url + path, {"--cacert", Ca()}, h, body);
  };
  const std::string dbs = "/v1/organizations/acme/databases";
  ASSERT_EQ(api("POST", dbs, R"({"name":"tlsdb","cluster_size":"PS-10"})").status, 201);
  CurlResult dev = api("POST", dbs + "/tlsdb/branches", R"({"name":"dev"})");
  ASSERT_EQ(dev.status, 201) << dev.body;
  std::string schema = "br_" + std::string(json::parse(dev.body).at("id").as_string());
  ASSERT_EQ(server_->Sql("CREATE TABLE " + schema + ".items (id INT PRIMARY KEY); INSERT INTO " + schema +
                         ".items VALUES (1),(2),(3)").exit_code, 0);
  CurlResult tok = api("POST", "/v1/organizations/acme/service-tokens", "{}");
  ASSERT_EQ(tok.status, 200) << Masked(tok.body);
  json::object t = json::parse(tok.body).as_object();
  std::string id(t["id"].as_string()), secret(t["token"].as_string());
  ASSERT_EQ(api("POST", "/v1/organizations/acme/service-tokens/" + id + "/access",
                R"({"database":"tlsdb","access":["read_branch","connect_branch"]})").status, 200);

  Background connect({OpscaleBin(), "connect", "tlsdb", "dev", "--org", "acme", "--port", "0", "--api-url",
                      url, "--ca-file", Ca()},
                     {{"HOME", home_->path()}, {"PLANETSCALE_SERVICE_TOKEN", secret},
                      {"PLANETSCALE_SERVICE_TOKEN_ID", id}, {"PLANETSCALE_API_TOKEN", "\x01unset"}});
  std::string out = connect.WaitForOutput("Local address", 20000);
  ASSERT_FALSE(out.empty()) << Masked(connect.Err());
  size_t at = out.find("Local address to connect your application: ");
  int port = std::atoi(out.c_str() + out.find(':', at + 44) + 1);
  ASSERT_GT(port, 0) << out;
  auto client = [&](const std::string& sql) -> std::vector<std::string> {
    return {"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + std::to_string(port), "-uroot",
            "-N", "-B", "-e", sql};
  };
  RunResult q = RunProcess(client("SELECT COUNT(*), SUM(id) FROM items"), {}, "", 30);
  ASSERT_EQ(q.exit_code, 0) << q.err << Masked(connect.Err());
  EXPECT_EQ(q.out, "3\t6\n");
  // Bigger messages, many TLS records long, arrive whole both ways.
  std::string sent(200000, 'x');
  std::vector<std::string> from_stdin = {"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1",
                                         "-P" + std::to_string(port), "-uroot", "-N", "-B"};
  RunResult big = RunProcess(from_stdin, {},
                             "SELECT LENGTH('" + sent + "'), MD5('" + sent + "'), REPEAT('y', 100000);\n", 30);
  ASSERT_EQ(big.exit_code, 0) << big.err.substr(0, 300);
  EXPECT_EQ(big.out, "200000\t4b98146705d4b0b98b758a78ff6fb73f\t" + std::string(100000, 'y') + "\n");

  // A session held open through the tunnel ends when the token is deleted,
  // long before its 30-second sleep would.
  Background session(client("SELECT SLEEP(30)"));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(session.Wait(0), -2) << "the session should be running";
  ASSERT_EQ(api("DELETE", "/v1/organizations/acme/service-tokens/" + id).status, 204);
  int code = session.Wait(10000);
  EXPECT_NE(code, -2) << "session still open 10 s after the token was deleted";
  EXPECT_NE(code, 0);
  RunResult again = RunProcess(client("SELECT 1"), {}, "", 15);
  EXPECT_NE(again.exit_code, 0);
  std::string err = connect.Err();
  for (int i = 0; i < 50 && err.find("connection closed") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    err = connect.Err();
  }
  EXPECT_NE(err.find("connection closed"), std::string::npos) << Masked(err);
}

// Start-up checks need no running server: an initialized data dir is enough.
class TlsStartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_.MakeCa("ca");
    pki_.MakeServerCert("server", "ca", "DNS:localhost,IP:127.0.0.1");
    pki_.MakeServerCert("other", "ca", "DNS:localhost");
    RunResult init = RunProcess({OpscaledBin(), "init", "--data-dir", data_.path() + "/data", "--org", "acme",
                                 "--admin-email", "admin@example.com", "--format", "json"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  RunResult Serve(std::vector<std::string> tls_args) {
    std::vector<std::string> argv = {OpscaledBin(), "serve", "--data-dir", data_.path() + "/data",
                                     "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), tls_args.begin(), tls_args.end());
    return RunProcess(argv, {}, "", 30);
  }
  Pki pki_;
  TempDir data_;
};

TEST_F(TlsStartupTest, BadCertificateFilesStopTheServerAtStartUp) {
  const std::string cert = pki_.Path("server.pem"), key = pki_.Path("server.key");
  const std::string missing = pki_.Path("missing.pem");

  RunResult no_cert = Serve({"--tls-cert", missing, "--tls-key", key});
  EXPECT_EQ(no_cert.exit_code, 2);
  EXPECT_NE(no_cert.err.find("cannot read --tls-cert " + missing + ": No such file or directory"),
            std::string::npos)
      << no_cert.err;

  RunResult no_key = Serve({"--tls-cert", cert, "--tls-key", missing});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_NE(no_key.err.find("cannot read --tls-key " + missing), std::string::npos) << no_key.err;

  RunResult mismatch = Serve({"--tls-cert", cert, "--tls-key", pki_.Path("other.key")});
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.err.find("--tls-key " + pki_.Path("other.key") +
                              " does not match the certificate in --tls-cert " + cert),
            std::string::npos)
      << mismatch.err;

  // Key and certificate swapped: neither file is what its flag needs.
  RunResult swapped = Serve({"--tls-cert", key, "--tls-key", cert});
  EXPECT_EQ(swapped.exit_code, 2);
  EXPECT_NE(swapped.err.find("--tls-cert " + key + " holds no PEM certificate"), std::string::npos)
      << swapped.err;

  RunResult half = Serve({"--tls-cert", cert});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("--tls-cert needs --tls-key"), std::string::npos) << half.err;

  // Nothing of the server was started: no "listening on" line.
  for (const RunResult* r : {&no_cert, &no_key, &mismatch, &swapped, &half}) {
    EXPECT_EQ(r->out.find("listening on"), std::string::npos) << r->out;
  }
}

}  // namespace
}  // namespace opscale::testutil
