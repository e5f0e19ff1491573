export { hashPassword, verifyPassword } from "./auth/password";
