# Multi-stage: build with the toolchain (better-sqlite3 compiles from source), run without it,
# as a non-root user, with a HEALTHCHECK on /healthz.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The TypeScript client is an npm workspace: `npm ci` needs its package.json, `npm run build` builds it.
COPY clients/typescript/package.json ./clients/typescript/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY providers ./providers
COPY bench ./bench
COPY clients/typescript/tsconfig.json ./clients/typescript/
COPY clients/typescript/src ./clients/typescript/src
COPY console ./console
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# All interfaces: `docker run -p 8080:8080` reaches the gateway only if it does not listen on the
# container's loopback. PUSHGATE_HOST / PUSHGATE_PORT are read by the config (override with -e).
ENV NODE_ENV=production PUSHGATE_CONFIG=/etc/pushgate/pushgate.yaml PUSHGATE_HOST=0.0.0.0 PUSHGATE_PORT=8080
WORKDIR /app
# openssl: the playground's TLS simulators (FCM, APNs) make a throwaway CA with it.
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The pushgate command: docker run --rm pushgate node bin/pushgate.js config check (or docker exec).
COPY bin ./bin
COPY config ./config
RUN mkdir -p /etc/pushgate /app/data && cp config/pushgate.yaml /etc/pushgate/pushgate.yaml && chown -R node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PUSHGATE_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
