export {
  startTradingGridSandbox,
  type TradingGridSandbox,
  type TradingGridSandboxOptions,
  type TradingGridSandboxStats,
  type TradingGridRequestSeen,
  type TradingGridSandboxStateView,
  type TradingGridFaults,
  type SandboxEvent,
} from './server.ts';
export { TRADING_GRID_NO_FAULTS } from '../shared/faults.ts';
