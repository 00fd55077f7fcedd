// auric-migrate: create and list migration files, and inspect any store (docs/cli.md).
#include "app/session.hpp"
#include "cli/cli.hpp"

int main(int argc, char** argv) {
  auric::app::Program program;
  program.name = "auric-migrate";
  program.standalone = true;
  return auric::cli::run_cli(argc, argv, program);
}
