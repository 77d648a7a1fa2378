# Sourced by the benchmarks: starts nginx (one worker, a 3-byte body) on 127.0.0.1:$nginx_port under
# $work, pinned with $server_cpu; adds its pid to $pids.
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok\n"; }
  }
}
CONF
$server_cpu nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
