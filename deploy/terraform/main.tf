# Luneo on Hetzner Cloud: a private network, web servers behind a load balancer, Celery
# workers, PostgreSQL and Redis on their own servers (Hetzner has no managed PostgreSQL or
# Redis; swap these modules for a managed provider where you have one), a Vault server, and
# Object Storage for files. Servers are provisioned by cloud-init with Docker and pull the
# app image; the app's settings come from Vault (VAULT_ADDR + Kubernetes or token auth, see
# docs/secrets.md).

locals {
  labels = {
    app         = "luneo"
    environment = var.environment
  }
  private_ip = {
    database = "10.20.1.10"
    redis    = "10.20.1.11"
    vault    = "10.20.1.12"
  }
}

resource "hcloud_network" "luneo" {
  name     = "luneo-${var.environment}"
  ip_range = "10.20.0.0/16"
  labels   = local.labels
}

resource "hcloud_network_subnet" "servers" {
  network_id   = hcloud_network.luneo.id
  type         = "cloud"
  network_zone = "eu-central"
  ip_range     = "10.20.1.0/24"
}

resource "hcloud_firewall" "private" {
  name   = "luneo-${var.environment}-private"
  labels = local.labels
  rule {
    description = "SSH from operators"
    direction   = "in"
    protocol    = "tcp"
    port        = "22"
    source_ips  = ["0.0.0.0/0", "::/0"]
  }
}

resource "hcloud_server" "web" {
  count        = var.web_count
  name         = "luneo-${var.environment}-web-${count.index + 1}"
  server_type  = var.web_server_type
  image        = "debian-12"
  location     = var.location
  ssh_keys     = var.ssh_key_names
  firewall_ids = [hcloud_firewall.private.id]
  labels       = merge(local.labels, { role = "web" })
  user_data    = templatefile("${path.module}/cloud-init.yaml.tftpl", { role = "web", vault_addr = "http://${local.private_ip.vault}:8200" })
  network {
    network_id = hcloud_network.luneo.id
  }
  depends_on = [hcloud_network_subnet.servers]
}

resource "hcloud_server" "worker" {
  count        = var.worker_count
  name         = "luneo-${var.environment}-worker-${count.index + 1}"
  server_type  = var.worker_server_type
  image        = "debian-12"
  location     = var.location
  ssh_keys     = var.ssh_key_names
  firewall_ids = [hcloud_firewall.private.id]
  labels       = merge(local.labels, { role = "worker" })
  user_data    = templatefile("${path.module}/cloud-init.yaml.tftpl", { role = "worker", vault_addr = "http://${local.private_ip.vault}:8200" })
  network {
    network_id = hcloud_network.luneo.id
  }
  depends_on = [hcloud_network_subnet.servers]
}

resource "hcloud_server" "database" {
  name         = "luneo-${var.environment}-postgres"
  server_type  = var.database_server_type
  image        = "debian-12"
  location     = var.location
  ssh_keys     = var.ssh_key_names
  firewall_ids = [hcloud_firewall.private.id]
  labels       = merge(local.labels, { role = "postgres" })
  network {
    network_id = hcloud_network.luneo.id
    ip         = local.private_ip.database
  }
  depends_on = [hcloud_network_subnet.servers]
}

resource "hcloud_volume" "database" {
  name      = "luneo-${var.environment}-pgdata"
  size      = var.database_volume_gb
  server_id = hcloud_server.database.id
  format    = "ext4"
  automount = true
  labels    = local.labels
}

resource "hcloud_server" "redis" {
  name         = "luneo-${var.environment}-redis"
  server_type  = var.redis_server_type
  image        = "debian-12"
  location     = var.location
  ssh_keys     = var.ssh_key_names
  firewall_ids = [hcloud_firewall.private.id]
  labels       = merge(local.labels, { role = "redis" })
  network {
    network_id = hcloud_network.luneo.id
    ip         = local.private_ip.redis
  }
  depends_on = [hcloud_network_subnet.servers]
}

resource "hcloud_server" "vault" {
  name         = "luneo-${var.environment}-vault"
  server_type  = var.vault_server_type
  image        = "debian-12"
  location     = var.location
  ssh_keys     = var.ssh_key_names
  firewall_ids = [hcloud_firewall.private.id]
  labels       = merge(local.labels, { role = "vault" })
  network {
    network_id = hcloud_network.luneo.id
    ip         = local.private_ip.vault
  }
  depends_on = [hcloud_network_subnet.servers]
}

resource "hcloud_load_balancer" "web" {
  name               = "luneo-${var.environment}-lb"
  load_balancer_type = "lb11"
  location           = var.location
  labels             = local.labels
}

resource "hcloud_load_balancer_network" "web" {
  load_balancer_id = hcloud_load_balancer.web.id
  network_id       = hcloud_network.luneo.id
}

resource "hcloud_load_balancer_target" "web" {
  type             = "label_selector"
  load_balancer_id = hcloud_load_balancer.web.id
  label_selector   = "app=luneo,environment=${var.environment},role=web"
  use_private_ip   = true
  depends_on       = [hcloud_load_balancer_network.web]
}

resource "hcloud_managed_certificate" "web" {
  name         = "luneo-${var.environment}"
  domain_names = [var.domain]
}

resource "hcloud_load_balancer_service" "https" {
  load_balancer_id = hcloud_load_balancer.web.id
  protocol         = "https"
  listen_port      = 443
  destination_port = 8000
  http {
    certificates  = [hcloud_managed_certificate.web.id]
    redirect_http = true
  }
  health_check {
    protocol = "http"
    port     = 8000
    interval = 10
    timeout  = 5
    http {
      path         = "/readyz"
      status_codes = ["200"]
    }
  }
}

# Where the app reads its secrets (VAULT_SECRET_PATH); the values are written by operators
# (`vault kv put`), never by Terraform, so they stay out of the state file.
resource "vault_mount" "kv" {
  path        = var.vault_kv_mount
  type        = "kv"
  options     = { version = "2" }
  description = "Luneo secrets (KV v2)"
}

resource "vault_policy" "luneo" {
  name   = "luneo-${var.environment}"
  policy = <<-EOT
    path "${var.vault_kv_mount}/data/luneo" {
      capabilities = ["read"]
    }
  EOT
}
