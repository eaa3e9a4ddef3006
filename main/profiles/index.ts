export { ProfileService, type ProfileServiceOptions } from './service';
