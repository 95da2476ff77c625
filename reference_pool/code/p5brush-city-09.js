// A river town in summer green: rounded trees and a stone bridge in front of cream houses with red roofs.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f2e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // soft sky and green hills
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#cfe3dc', 160);
  brush.rect(-256, -256, 512, 200);
  brush.fill('#8fb36a', 190);
  brush.polygon([[-256, -40], [-120, -110], [40, -70], [160, -120], [256, -80], [256, 60], [-256, 60]]);

  // houses
  brush.fillBleed(0.05);
  brush.fillTexture(0.3, 0.3);
  let hx = [-210, -140, -60, 30, 110, 180];
  for (let i = 0; i < hx.length; i++) {
    let w = 62, h = random(55, 80), base = 40;
    brush.fill('#efe2c4', 240);
    brush.rect(hx[i], base - h, w, h);
    brush.fill('#b8442f', 230);
    brush.polygon([[hx[i] - 6, base - h], [hx[i] + w / 2, base - h - 32], [hx[i] + w + 6, base - h]]);
    brush.polygon([[hx[i] - 6, base - h], [hx[i] + w / 2, base - h - 32], [hx[i] + w + 6, base - h]]);
  }
  brush.noFill();
  brush.wash('#4d5a48', 200);
  for (let i = 0; i < hx.length; i++) {
    brush.rect(hx[i] + 12, 0, 10, 14);
    brush.rect(hx[i] + 38, 0, 10, 14);
  }
  brush.noWash();

  // trees
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.35);
  let tx = [-235, -100, 5, 90, 225];
  for (let x of tx) {
    brush.fill('#3f7a3a', 220);
    brush.circle(x, 20, 34);
    brush.fill('#6a9c45', 180);
    brush.circle(x - 8, 12, 22);
  }

  // river and bridge
  brush.fillBleed(0.3);
  brush.fill('#6fa3a0', 200);
  brush.rect(-256, 60, 512, 196);
  brush.fill('#5d8a4a', 110);
  brush.rect(-256, 62, 512, 40);
  // stone bridge with a single round arch, and its reflection
  let bridge = [[-190, 92], [190, 92], [190, 160], [100, 160]];
  for (let a = 0; a <= 180; a += 20) bridge.push([95 * cos(a), 160 - 70 * sin(a)]);
  bridge.push([-100, 160], [-190, 160]);
  brush.fillBleed(0.03);
  brush.fillTexture(0.4, 0.5);
  brush.fill('#b3a58c', 240);
  brush.polygon(bridge);
  brush.polygon(bridge);
  brush.fillBleed(0.25);
  brush.fill('#8a8170', 110);
  brush.rect(-190, 162, 380, 40);
  brush.set('pen', '#4c463c', 1.6);
  brush.noFill();
  brush.polygon(bridge);
  brush.line(-190, 102, 190, 102);
  brush.set('marker', '#e6f0ea', 1.2);
  for (let i = 0; i < 8; i++) {
    let x = random(-230, 170), y = random(150, 245);
    brush.line(x, y, x + random(30, 70), y);
  }
}
