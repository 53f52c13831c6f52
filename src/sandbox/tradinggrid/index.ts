export {
  startTradingGridSandbox,
  type TradingGridSandbox,
  type TradingGridSandboxOptions,
  type TradingGridSandboxStats,
  type TradingGridSandboxStateView,
  type Faults,
  type SandboxEvent,
} from './server.ts';
export { NO_FAULTS } from './faults.ts';
