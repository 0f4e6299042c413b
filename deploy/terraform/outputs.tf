output "load_balancer_ipv4" {
  description = "Point the app's DNS name (var.domain) here"
  value       = hcloud_load_balancer.web.ipv4
}

output "web_private_ips" {
  value = [for server in hcloud_server.web : one(server.network[*].ip)]
}

output "worker_names" {
  value = hcloud_server.worker[*].name
}

output "database_url_template" {
  description = "DATABASE_URL for the app (the password lives in Vault, not here)"
  value       = "postgresql://luneo:<password>@${local.private_ip.database}:5432/luneo"
}

output "redis_url" {
  value = "redis://${local.private_ip.redis}:6379/0"
}

output "vault_addr" {
  value = "http://${local.private_ip.vault}:8200"
}

output "storage_url" {
  description = "STORAGE_URL and STORAGE_ENDPOINT_URL for the app"
  value = {
    STORAGE_URL          = "s3://${var.object_storage_bucket}/luneo"
    STORAGE_ENDPOINT_URL = var.object_storage_endpoint
  }
}
