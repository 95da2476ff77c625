// A mother elephant and her calf walking under a blazing orange sunset, dark plum silhouettes in watercolour.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function band(pts, w0, w1) {
  const L = [], R = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[max(0, i - 1)], b = pts[min(pts.length - 1, i + 1)];
    let tx = b[0] - a[0], ty = b[1] - a[1];
    const m = sqrt(tx * tx + ty * ty);
    tx /= m; ty /= m;
    const w = lerp(w0, w1, i / (pts.length - 1)) / 2;
    L.push([pts[i][0] - ty * w, pts[i][1] + tx * w]);
    R.push([pts[i][0] + ty * w, pts[i][1] - tx * w]);
  }
  return L.concat(R.reverse());
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function leg(x0, x1, top, bottom, col) {
  paint([[x0, top], [x1, top], [x1 - 2, bottom - 10], [x1 + 4, bottom], [x0 - 4, bottom], [x0 + 2, bottom - 10]], col, 225, 160);
}
function elephant(x, y, s, body, dark, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  // far legs (darker), then near legs
  leg(-62, -28, 30, 150, dark);
  leg(78, 110, 30, 150, dark);
  paint(ell(0, 0, 130, 86, 0), body, 228, 165);
  leg(-118, -76, 30, 162, body);
  leg(24, 66, 30, 162, body);
  // head and trunk
  paint(ell(125, -28, 62, 64, 0), body, 228, 165);
  paint(band([[162, -5], [188, 40], [192, 100], [182, 140], [198, 154]], 42, 16), body, 228, 165);
  // ear
  paint(ell(98, -18, 42, 60, 8), dark, 215, 145);
  pop();
}
function elephantDetails(x, y, s, ink, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  brush.noStroke();
  paint(band([[150, 18], [172, 34], [198, 30]], 11, 4), '#efe6d2', 240, 220);
  brush.wash('#141210', 250);
  brush.circle(150, -42, 4);
  brush.noWash();
  brush.noFill();
  brush.set('2B', ink, 1.5);
  brush.spline([[-128, -5], [-150, 40], [-142, 72]], 0.5);
  brush.spline([[-100, -60], [-20, -88], [80, -70]], 0.5);
  for (let k = 0; k < 3; k++) brush.line(178, 60 + k * 28, 190, 62 + k * 28);
  pop();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7eddc');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // sunset sky: flat washes graded from gold to red, softened with watercolour fill
  brush.fillBleed(0.2);
  brush.fillTexture(0.45, 0.15, false);
  brush.wash('#f6c46a', 150);
  brush.fill('#f6c46a', 160);
  brush.rect(-256, -256, 512, 420);
  brush.noWash();
  brush.wash('#ee8a45', 90);
  brush.fill('#ee8a45', 170);
  brush.rect(-256, -60, 512, 230);
  brush.noWash();
  brush.wash('#d9533a', 80);
  brush.fill('#d9533a', 150);
  brush.rect(-256, 60, 512, 110);
  brush.noWash();
  // sun
  brush.noFill();
  brush.wash('#fdeab8', 200);
  brush.circle(40, -20, 58);
  brush.noWash();
  // ground: flat dark wash
  brush.wash('#4a2434', 240);
  brush.polygon([[-256, 150], [-60, 140], [256, 146], [256, 256], [-256, 256]]);
  brush.noWash();
  brush.fillBleed(0.05);
  // acacia tree at the right
  paint(band([[200, 150], [196, 60], [182, 8]], 10, 5), '#3a1d2a', 230, 180);
  paint(ell(185, -2, 70, 15, -4), '#3a1d2a', 230, 180);
  brush.fillTexture(0.5, 0.25);
  brush.fillBleed(0.1);
  // mother and calf, plum silhouettes walking right
  // two glazes so the silhouettes read dark against the sky
  for (let g = 0; g < 2; g++) {
    elephant(-95, 28, 0.72, '#4e2a3b', '#3e2030', false);
    elephant(85, 92, 0.36, '#4e2a3b', '#3e2030', false);
  }
  elephantDetails(-95, 28, 0.72, '#2a1520', false);
  elephantDetails(85, 92, 0.36, '#2a1520', false);
  // grass tufts
  brush.noFill();
  brush.set('2B', '#2a1520', 1.5);
  for (let i = 0; i < 14; i++) {
    const gx = random(-250, 250);
    brush.line(gx, 150, gx + random(-6, 6), 136 + random(-4, 4));
  }
  // distant birds
  brush.noFill();
  brush.set('HB', '#6a2a2a', 1.3);
  brush.spline([[-170, -170], [-160, -178], [-150, -170]], 0.5);
  brush.spline([[-150, -170], [-140, -178], [-130, -170]], 0.5);
  brush.spline([[-120, -195], [-112, -201], [-104, -195]], 0.5);
  brush.spline([[-104, -195], [-96, -201], [-88, -195]], 0.5);
}
