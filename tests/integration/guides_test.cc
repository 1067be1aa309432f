// Runs the guides in docs/guides/ against a real opscaled, so that what they
// tell readers to type keeps working. The rules a guide follows are in
// docs/guides/README.md; in short, every ```sh block carries a marker that
// says who runs it:
//   <!-- run: admin -->  an organization admin's shell: logged in (the access
//                        token file `opscale auth login` writes), and its
//                        shell variables carry over to the next admin block.
//   <!-- run: ci -->     a CI job: a fresh HOME, no login, only the CI
//                        secrets in its environment.
//   <!-- run: no (why) -->  shown, never run (e.g. needs a real CI service).
// A ```yaml block marked `<!-- run: ci-workflow -->` is a GitHub Actions-style
// workflow: its `run:` steps are run in order as CI shells, with its `env:`
// entries, `${{ secrets.NAME }}` read from the CI secrets.
// An admin block's marker may end with `; ci-secrets: NAME=VAR ...`: after
// the block, the value of shell variable VAR is stored as CI secret NAME
// (what `gh secret set NAME` does for a real repository).
// `https://opscale.example.com` in a block stands for the API URL and is
// replaced by the test server's URL.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <signal.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExampleUrl = "https://opscale.example.com";

struct Block {
  std::string marker;  // "admin", "ci", "ci-workflow", "no"
  std::string secrets;  // "NAME=VAR ..." after "ci-secrets:"
  std::string lang;
  std::string text;
  int line = 0;  // of the opening fence, for messages
};

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

// The fenced blocks of a guide, with the marker on the line before each (the
// marker may be separated from the fence by nothing but itself).
std::vector<Block> ParseGuide(const std::string& path) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  std::string line, marker_line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("```", 0) != 0) {
      if (!Trim(line).empty()) marker_line = Trim(line);
      continue;
    }
    Block b;
    b.lang = Trim(line.substr(3));
    b.line = n;
    static const std::regex kMarker(R"(<!--\s*run:\s*([a-z-]+)([^;]*?)(;\s*ci-secrets:\s*(.*?))?\s*-->)");
    std::smatch m;
    if (std::regex_match(marker_line, m, kMarker)) {
      b.marker = m[1];
      b.secrets = m[4];
    }
    while (std::getline(in, line)) {
      ++n;
      if (line.rfind("```", 0) == 0) break;
      b.text += line + "\n";
    }
    blocks.push_back(std::move(b));
    marker_line.clear();
  }
  return blocks;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Shell-quotes `s` for bash (single quotes).
std::string Quoted(const std::string& s) { return "'" + Replace(s, "'", "'\\''") + "'"; }

// One guide's run: the admin's and the CI's homes, the admin shell's state,
// the CI secrets.
class GuideRun {
 public:
  // `substitutions`: text in the guide's blocks that stands for something of
  // the test's (placeholders such as a PostgreSQL URL), replaced before running.
  GuideRun(const Server& server, std::string guide, std::map<std::string, std::string> substitutions = {})
      : server_(server), guide_(std::move(guide)), substitutions_(std::move(substitutions)) {
    work_ = tmp_.path() + "/work";
    admin_home_ = tmp_.path() + "/admin-home";
    ci_home_ = tmp_.path() + "/ci-home";
    fs::create_directories(work_);
    fs::create_directories(ci_home_);
    fs::create_directories(admin_home_ + "/.config/planetscale");
    WriteFile(admin_home_ + "/.config/planetscale/access-token", server.admin().api_token);
    fs::permissions(admin_home_ + "/.config/planetscale/access-token", fs::perms::owner_read | fs::perms::owner_write);
    // The CLI is on PATH as `opscale` (and `pscale`).
    path_ = fs::path(OpscaleBin()).parent_path().string() + ":/usr/local/bin:/usr/bin:/bin";
    WriteFile(state_file(), "");
    WriteFile(secrets_file(), "");
  }

  const std::string& work() const { return work_; }
  const std::string& dir() const { return tmp_.path(); }

  // Stops what admin blocks left running in the background (servers a guide
  // starts), by process group: each block runs in its own.
  ~GuideRun() {
    std::istringstream groups(ReadFile(tmp_.path() + "/pgids"));
    std::vector<pid_t> pgids;
    for (pid_t g; groups >> g;) pgids.push_back(g);
    for (pid_t g : pgids) ::kill(-g, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      bool alive = false;
      for (pid_t g : pgids) alive = alive || ::kill(-g, 0) == 0;
      if (!alive) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (pid_t g : pgids) ::kill(-g, SIGKILL);
  }

  // Runs every block; stops at the first failure.
  void RunAll() {
    std::vector<Block> blocks = ParseGuide(guide_);
    ASSERT_FALSE(blocks.empty()) << guide_ << " has no code blocks";
    int ran = 0;
    for (const Block& b : blocks) {
      SCOPED_TRACE(guide_ + ":" + std::to_string(b.line));
      if (b.lang == "sh" || b.lang == "bash") {
        ASSERT_FALSE(b.marker.empty()) << "a shell block without a <!-- run: … --> marker";
      }
      if (b.marker.empty() || b.marker == "no") continue;
      if (b.marker == "admin") RunAdmin(b);
      else if (b.marker == "ci") RunCi(Expand(b.text), {});
      else if (b.marker == "ci-workflow") RunWorkflow(b);
      else FAIL() << "unknown marker run: " << b.marker;
      if (::testing::Test::HasFailure()) return;
      ++ran;
    }
    EXPECT_GT(ran, 0);
  }

 private:
  std::string state_file() const { return tmp_.path() + "/admin-state.sh"; }
  std::string secrets_file() const { return tmp_.path() + "/ci-secrets.sh"; }
  std::string secret_value_file(const std::string& name) const { return tmp_.path() + "/ci-secret." + name; }

  std::string Expand(const std::string& text) const {
    std::string out = Replace(text, kExampleUrl, server_.url());
    for (const auto& [from, to] : substitutions_) out = Replace(out, from, to);
    return out;
  }

  // Runs `script` with bash in the work dir, in a process group of its own
  // (recorded, so that the destructor stops what it left running). A CI
  // job's background jobs end with it; an admin's, like a terminal's, live on.
  void Bash(const std::string& name, const std::string& script, const std::map<std::string, std::string>& env,
            bool end_jobs) {
    std::string file = tmp_.path() + "/" + name + ".sh";
    std::string prologue = "set -euo pipefail\necho $$ >> " + Quoted(tmp_.path() + "/pgids") + "\n";
    if (end_jobs) prologue += "trap 'j=$(jobs -p); [ -z \"$j\" ] || kill $j 2>/dev/null || true' EXIT\n";
    WriteFile(file, prologue + "cd " + Quoted(work_) + "\n" + script);
    RunResult r = RunProcess({"/usr/bin/setsid", "/bin/bash", file}, env, "", 240);
    ASSERT_EQ(r.exit_code, 0) << "block failed:\n" << Masked(script) << "\nstdout:\n" << Masked(r.out)
                              << "\nstderr:\n" << Masked(r.err);
  }

  void RunAdmin(const Block& b) {
    // The admin shell's variables carry over: saved after each block (all
    // but bash's own), sourced before the next.
    std::string script = "source " + Quoted(state_file()) + "\n" + Expand(b.text) + "\n";
    std::istringstream pairs(b.secrets);
    std::string pair;
    while (pairs >> pair) {
      size_t eq = pair.find('=');
      ASSERT_NE(eq, std::string::npos) << "ci-secrets entry without '=': " << pair;
      // Sourced by CI shells; and the raw value, read by Secret() (a file
      // read, so no command of the test prints a secret).
      script += "printf '%s=%q\\n' " + Quoted(pair.substr(0, eq)) + " \"$" + pair.substr(eq + 1) + "\" >> " +
                Quoted(secrets_file()) + "\n";
      script += "printf '%s' \"$" + pair.substr(eq + 1) + "\" > " + Quoted(secret_value_file(pair.substr(0, eq))) + "\n";
    }
    script +=
        "declare -p | grep -Ev '^declare -[-a-zA-Z]* (BASH[A-Z_]*|EUID|PPID|SHELLOPTS|UID|GROUPS|DIRSTACK|"
        "PIPESTATUS|RANDOM|SRANDOM|LINENO|SECONDS|HISTCMD|EPOCHSECONDS|EPOCHREALTIME|FUNCNAME|OPTIND|"
        "OPTERR|COLUMNS|LINES|_)=' | grep -v '^declare -[a-zA-Z]*r' > " +
        Quoted(state_file() + ".new") + "\nmv " + Quoted(state_file() + ".new") + " " + Quoted(state_file()) + "\n";
    Bash("admin", script, {{"HOME", admin_home_}, {"PATH", path_}, {"PLANETSCALE_API_URL", server_.url()}},
         false);
  }

  // A CI shell: nothing of the admin's, only the CI secrets (and `env`).
  void RunCi(const std::string& script, const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> e = {{"HOME", ci_home_}, {"PATH", path_},
                                            {"PLANETSCALE_API_URL", server_.url()},
                                            {"PLANETSCALE_API_TOKEN", "\x01unset"}};
    for (const auto& [k, v] : env) e[k] = v;
    std::string prelude = env.empty() ? "set -a\nsource " + Quoted(secrets_file()) + "\nset +a\n" : "";
    Bash("ci", prelude + script, e, true);
  }

  std::string Secret(const std::string& name) {
    std::string out = ReadFile(secret_value_file(name));
    EXPECT_FALSE(out.empty()) << "CI secret " << name << " was never stored";
    return out;
  }

  // `${{ secrets.NAME }}` and `${{ github.event.number }}` (a pull request number).
  std::string Expression(const std::string& v) {
    static const std::regex kExpr(R"(\$\{\{\s*([a-zA-Z_.]+)\s*\}\})");
    std::string out;
    auto begin = std::sregex_iterator(v.begin(), v.end(), kExpr);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += v.substr(last, it->position() - last);
      std::string name = (*it)[1];
      if (name.rfind("secrets.", 0) == 0) out += Secret(name.substr(8));
      else if (name == "github.event.number") out += "42";
      else ADD_FAILURE() << "unsupported workflow expression ${{ " << name << " }}";
      last = it->position() + it->length();
    }
    return out + v.substr(last);
  }

  // A workflow: `env:` entries (any level, one job) and `run:` steps in order.
  void RunWorkflow(const Block& b) {
    std::map<std::string, std::string> env;
    std::vector<std::string> steps;
    std::istringstream in(Expand(b.text));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string t = Trim(lines[i]);
      if (t.rfind("- ", 0) == 0) t = Trim(t.substr(2));
      if (t == "env:") {
        size_t base = indent(lines[i]);
        while (i + 1 < lines.size() && !Trim(lines[i + 1]).empty() && indent(lines[i + 1]) > base) {
          std::string kv = Trim(lines[++i]);
          size_t colon = kv.find(':');
          env[kv.substr(0, colon)] = Expression(Trim(kv.substr(colon + 1)));
        }
      } else if (t.rfind("run:", 0) == 0) {
        std::string rest = Trim(t.substr(4));
        if (rest != "|") {
          steps.push_back(rest);
          continue;
        }
        size_t base = indent(lines[i]);
        std::string body;
        while (i + 1 < lines.size() && (Trim(lines[i + 1]).empty() || indent(lines[i + 1]) > base)) {
          std::string l = lines[++i];
          body += (Trim(l).empty() ? "" : l) + "\n";
        }
        steps.push_back(body);
      }
    }
    ASSERT_FALSE(steps.empty()) << "a ci-workflow block without run: steps";
    for (const std::string& s : steps) {
      RunCi(s, env);
      if (::testing::Test::HasFailure()) return;
    }
  }

  const Server& server_;
  std::string guide_;
  std::map<std::string, std::string> substitutions_;
  TempDir tmp_;
  std::string work_, admin_home_, ci_home_, path_;
};

std::string GuidePath(const std::string& name) { return std::string(OPSCALE_DOCS_DIR) + "/guides/" + name; }

TEST(GuidesTest, EveryGuideIsTested) {
  // A new guide must get a test below.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(std::string(OPSCALE_DOCS_DIR) + "/guides"))
    if (e.path().extension() == ".md" && e.path().filename() != "README.md") names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"ci-service-tokens.md", "connect.md", "rotate-service-token.md",
                                             "several-nodes.md"}));
}

TEST(GuidesTest, MarkersAreParsed) {
  // An unmarked shell block is found as such (RunAll then fails on it, so no
  // block is silently skipped), and a marker's CI secrets are read.
  TempDir d;
  WriteFile(d.path() + "/g.md",
            "# g\n\n```sh\necho hi\n```\n\n<!-- run: admin; ci-secrets: A=X B=Y -->\n```sh\nX=1\n```\n");
  std::vector<Block> blocks = ParseGuide(d.path() + "/g.md");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_TRUE(blocks[0].marker.empty());
  EXPECT_EQ(blocks[1].marker, "admin");
  EXPECT_EQ(blocks[1].secrets, "A=X B=Y");
  EXPECT_EQ(blocks[1].text, "X=1\n");
}

TEST(GuidesTest, CiServiceTokens) {
  Server server("acme");
  GuideRun run(server, GuidePath("ci-service-tokens.md"));
  run.RunAll();
}

TEST(GuidesTest, RotateServiceToken) {
  Server server("acme");
  GuideRun run(server, GuidePath("rotate-service-token.md"));
  run.RunAll();
}

TEST(GuidesTest, Connect) {
  Server server("acme");
  GuideRun run(server, GuidePath("connect.md"));
  run.RunAll();
}

// Needs the run's private PostgreSQL (its URL in the file named by
// OPSCALE_GUIDES_PG_URL_FILE; not OPSCALE_TEST_PG_URL_FILE, which would put
// every Server of this file on PostgreSQL) and a MariaDB every node reaches:
// here the private one of a Server that only lends it.
TEST(GuidesTest, SeveralNodes) {
  const char* url_file = std::getenv("OPSCALE_GUIDES_PG_URL_FILE");
  ASSERT_NE(url_file, nullptr) << "OPSCALE_GUIDES_PG_URL_FILE is not set (run through ctest)";
  std::ifstream in(url_file);
  std::string base;
  std::getline(in, base);
  ASSERT_FALSE(base.empty());
  size_t slash = base.find('/', base.find("://") + 3);
  std::string db = "guide_" + std::to_string(::getpid());
  ASSERT_EQ(RunProcess({"/usr/bin/psql", base.substr(0, slash) + "/postgres", "-qAt", "-c",
                        "CREATE DATABASE " + db}).exit_code, 0);
  Server mariadb("lender");
  {
    TempDir root;  // stands for the machine's / in the guide's paths
    GuideRun run(mariadb, GuidePath("several-nodes.md"),
                 {{"postgres://opscale:secret@db.example.com:5432/opscale", base.substr(0, slash) + "/" + db},
                  {"mysql://opscale_admin:secret@mariadb.example.com:3306", mariadb.MysqlDsn()},
                  {"/var/lib/opscale", root.path() + "/var/lib/opscale"},
                  {"/etc/opscale", root.path() + "/etc/opscale"}});
    run.RunAll();
  }
  (void)RunProcess({"/usr/bin/psql", base.substr(0, slash) + "/postgres", "-qAt", "-c",
                    "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"});
}

}  // namespace
}  // namespace opscale::testutil
