# Sourced by the benchmarks: starts nginx (${nginx_workers:-1} workers, a 3-byte body) on
# 127.0.0.1:$nginx_port under $work, pinned with $server_cpu; adds its pid to $pids. $nginx names the
# binary (default: nginx on PATH); $nginx_extra is added inside http { } (more servers, TLS files).
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes ${nginx_workers:-1};
daemon off;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location / { return 200 "ok\n"; }
  }
${nginx_extra:-}
}
CONF
$server_cpu "${nginx:-nginx}" -c "$work/nginx.conf" -p "$work" &
pids+=($!)
