# Loaded by capistrano/setup for every stage.
lock "~> 3.17"

set :application, "bench"
set :pty, false
set :scm, nil  # no SCM: the lean tasks ship a prebuilt artifact
# net-ssh reads the fleet's ssh_config (user, port, key, pinned known_hosts, strict checking).
set :ssh_options, config: [ENV.fetch("BENCH_SSH_CONFIG")]
# Airbrussh's full log goes to the harness's work dir, not into the source tree.
set :format_options, log_file: ENV.fetch("BENCH_CAP_LOG", "/dev/null")
